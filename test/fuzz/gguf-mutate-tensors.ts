/** Tensor-table GGUF mutations: shapes, types, names, order and offsets, re-encoded over the base's data. */
import type { CraftTensor } from "../../src/gguf/testing.ts";
import { GgmlType, ggmlTypeInfo, tensorByteSize } from "../../src/gguf/types.ts";
import type { FuzzBase } from "./gguf-base.ts";
import type { Mutant } from "./gguf-mutate-bytes.ts";
import { rebuild } from "./gguf-mutate-spec.ts";
import type { Rng } from "./gguf-rng.ts";

/** Offsets of `tensors` packed in order, as a writer would place them. */
function packed(tensors: CraftTensor[], alignment: number): CraftTensor[] {
  let at = 0;
  return tensors.map((t) => {
    const placed = { ...t, offset: at };
    at += Math.ceil((tensorByteSize(t.type, t.shape) ?? 0) / alignment) * alignment;
    return placed;
  });
}

const TYPES = [
  GgmlType.F32,
  GgmlType.F16,
  GgmlType.BF16,
  GgmlType.Q8_0,
  GgmlType.Q4_0,
  GgmlType.Q4_K,
  GgmlType.Q6_K,
  GgmlType.I8,
];

/** Shapes, types, names, order and offsets of the tensor table. */
export function mutateTensors(base: FuzzBase, rng: Rng): Mutant {
  const tensors = base.spec.tensors;
  const i = rng.int(tensors.length);
  const t = tensors[i] as CraftTensor;
  const align = base.spec.alignment ?? 32;
  const op = rng.weighted<string>([
    ["shape", 3],
    ["type", 2],
    ["offset", 2],
    ["rename", 2],
    ["drop", 1],
    ["swap", 1],
  ]);
  // Half the time later tensors are re-packed, so the change survives the placement checks.
  const repack = rng.chance(0.5);
  const finish = (next: CraftTensor[], label: string) =>
    rebuild(
      base,
      { tensors: repack ? packed(next, align) : next },
      "tensor",
      `${label}${repack ? " (repacked)" : ""}`,
    );
  if (op === "shape") {
    const d = rng.int(Math.max(1, t.shape.length));
    const ne = t.shape[d] ?? 1;
    const v = rng.pick([0, 1, ne - 1, ne + 1, ne * 2, Math.floor(ne / 2), 2 ** 40]);
    const shape = rng.chance(0.15) ? [...t.shape, 2] : t.shape.map((x, k) => (k === d ? v : x));
    return finish(
      tensors.map((x, k) => (k === i ? { ...x, shape } : x)),
      `${t.name} shape [${shape}]`,
    );
  }
  if (op === "type") {
    const type = rng.chance(0.8) ? rng.pick(TYPES) : rng.int(45);
    const ok = ggmlTypeInfo(type) !== undefined;
    return finish(
      tensors.map((x, k) => (k === i ? { ...x, type } : x)),
      `${t.name} type ${type}${ok ? "" : " (invalid)"}`,
    );
  }
  if (op === "offset") {
    const orig = BigInt(t.offset ?? 0);
    const v = rng.pick([
      orig + 1n,
      orig + BigInt(align),
      orig - BigInt(align),
      0n,
      BigInt(base.data.length),
      2n ** 63n,
    ]);
    const next = tensors.map((x, k) => (k === i ? { ...x, offset: v < 0n ? 0n : v } : x));
    return rebuild(base, { tensors: next }, "tensor", `${t.name} offset ${orig} → ${v}`);
  }
  if (op === "rename") {
    const blocks =
      tensors.filter((x) => x.name.startsWith("blk.")).length > 0 ? Number(t.name.split(".")[1] ?? 0) : 0;
    const name = rng.pick([
      t.name.replace(/^blk\.\d+\./, `blk.${blocks + 100}.`),
      t.name.replace(/^blk\.\d+\./, "blk.99999999999."),
      `${t.name}.x`,
      "x".repeat(63),
      (tensors[(i + 1) % tensors.length] as CraftTensor).name,
    ]);
    return rebuild(
      base,
      { tensors: tensors.map((x, k) => (k === i ? { ...x, name } : x)) },
      "tensor",
      `${t.name} renamed ${name}`,
    );
  }
  if (op === "drop")
    return finish(
      tensors.filter((_, k) => k !== i),
      `${t.name} dropped`,
    );
  const j = rng.int(tensors.length);
  const next = tensors.map((x, k) => (k === i ? (tensors[j] as CraftTensor) : k === j ? t : x));
  return rebuild(base, { tensors: next }, "tensor", `table entries ${i} and ${j} swapped`);
}
