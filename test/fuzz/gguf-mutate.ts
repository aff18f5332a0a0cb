/** The GGUF mutation fuzzer's file generator: one seeded mutant per index, over a set of base models. */
import type { FuzzBase } from "./gguf-base.ts";
import {
  flipData,
  flipHeader,
  type Mutant,
  mutateField,
  mutateVersion,
  truncate,
} from "./gguf-mutate-bytes.ts";
import { mutateHparam, mutateMetadata, mutateVocab } from "./gguf-mutate-spec.ts";
import { mutateTensors } from "./gguf-mutate-tensors.ts";
import { Rng } from "./gguf-rng.ts";

export type { Mutant } from "./gguf-mutate-bytes.ts";

type Mutator = (base: FuzzBase, rng: Rng) => Mutant;

// Weights favour the structure the issue is about (counts, hyper-parameters, tensor infos) over plain byte
// noise, and keep mutants that pass validation (each costs a model load) to roughly a fifth.
const MUTATORS: readonly (readonly [Mutator, number])[] = [
  [mutateField, 22],
  [mutateHparam, 20],
  [mutateTensors, 16],
  [mutateVocab, 12],
  [mutateMetadata, 10],
  [truncate, 8],
  [flipHeader, 6],
  [mutateVersion, 3],
  [flipData, 1],
];

const BYTE_MUTATORS: readonly (readonly [Mutator, number])[] = [
  [mutateField, 2],
  [truncate, 1],
  [flipHeader, 1],
];

/** The `index`-th mutant of a run seeded with `seed`: independent of every other index. */
export function mutant(bases: readonly FuzzBase[], seed: number, index: number): Mutant & { base: FuzzBase } {
  const rng = new Rng((seed * 0x9e3779b1) ^ (index * 0x85ebca77));
  const base = bases[index % bases.length] as FuzzBase;
  const first = rng.weighted(MUTATORS)(base, rng);
  if (!rng.chance(0.1)) return { ...first, base };
  // Now and then byte damage on top of the first mutation, so combined damage is tried too.
  const second = rng.weighted(BYTE_MUTATORS)({ ...base, bytes: first.bytes }, rng);
  return {
    ...second,
    family: `${first.family}+${second.family}`,
    label: `${first.label}; ${second.label}`,
    base,
  };
}
