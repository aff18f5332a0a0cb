/**
 * Byte-level GGUF mutations: header counts, length prefixes, type tags, version and magic patched in place;
 * truncation; random byte flips in the header or the tensor data.
 */
import type { Field, FieldKind } from "../../src/gguf/testing.ts";
import type { FuzzBase } from "./gguf-base.ts";
import type { Rng } from "./gguf-rng.ts";

/** A mutated file and what was done to it. */
export interface Mutant {
  /** Mutation family, for the outcome report ("header", "truncate", "hparam", …). */
  family: string;
  /** What exactly was changed. */
  label: string;
  bytes: Uint8Array;
}

const HUGE_U64 = [2n ** 31n, 2n ** 32n, 2n ** 40n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
const ODD_U32 = [0, 1, 5, 31, 255, 2 ** 16, 2 ** 31, 2 ** 32 - 1];

function readField(bytes: Uint8Array, f: Field): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return f.size === 8 ? view.getBigUint64(f.at, true) : BigInt(view.getUint32(f.at, true));
}

function writeField(bytes: Uint8Array, f: Field, v: bigint): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  if (f.size === 8) view.setBigUint64(f.at, BigInt.asUintN(64, v), true);
  else view.setUint32(f.at, Number(BigInt.asUintN(32, v)), true);
}

/** A value near or far from `orig`, for a count or length field. */
function nearOrFar(rng: Rng, orig: bigint): bigint {
  return rng.weighted<() => bigint>([
    [() => orig + 1n, 3],
    [() => (orig > 0n ? orig - 1n : 0n), 3],
    [() => 0n, 1],
    [() => orig * 2n, 1],
    [() => rng.pick(HUGE_U64), 3],
  ])();
}

function patchField(base: FuzzBase, rng: Rng, kinds: FieldKind[], family: string): Mutant {
  // On top of an earlier mutation the file may be shorter than the fields recorded for the base.
  const candidates = base.header.fields.filter(
    (f) => kinds.includes(f.kind) && f.at + f.size <= base.bytes.length,
  );
  if (candidates.length === 0) return flipHeader(base, rng);
  const f = rng.pick(candidates);
  const bytes = base.scratch.copy(base.bytes);
  const orig = readField(bytes, f);
  const isTag = f.kind === "value_type" || f.kind === "item_type" || f.kind === "tensor_type";
  const v = isTag ? BigInt(rng.chance(0.7) ? rng.int(45) : rng.pick(ODD_U32)) : nearOrFar(rng, orig);
  writeField(bytes, f, v);
  return { family, label: `${f.kind} of ${f.owner || "header"}: ${orig} → ${v}`, bytes };
}

/** Header counts, length prefixes, type tags, n_dims, ne, offsets: one field patched in place. */
export function mutateField(base: FuzzBase, rng: Rng): Mutant {
  const group = rng.weighted<FieldKind[]>([
    [["n_tensors", "n_kv"], 2],
    [["key_len", "str_len", "name_len"], 3],
    [["array_len"], 3],
    [["value_type", "item_type"], 2],
    [["tensor_type"], 2],
    [["n_dims"], 2],
    [["ne"], 2],
    [["offset"], 2],
  ]);
  return patchField(base, rng, group, "field");
}

/** Version or magic changed. */
export function mutateVersion(base: FuzzBase, rng: Rng): Mutant {
  const bytes = base.scratch.copy(base.bytes);
  const view = new DataView(bytes.buffer);
  if (rng.chance(0.2)) {
    const at = rng.int(4);
    bytes[at] = (bytes[at] ?? 0) ^ (1 << rng.int(8));
    return { family: "header", label: "magic", bytes };
  }
  const v = rng.pick([0, 1, 2, 4, 0x03000000, 2 ** 32 - 1]);
  view.setUint32(4, v, true);
  return { family: "header", label: `version ${v}`, bytes };
}

/** The file cut short: in the header, at the data section, or inside the tensor data. */
export function truncate(base: FuzzBase, rng: Rng): Mutant {
  const start = Math.min(base.header.dataOffset, base.bytes.length - 1);
  const end = rng.weighted<() => number>([
    [() => rng.int(start), 3],
    [() => start, 1],
    [() => start + 1 + rng.int(base.bytes.length - start - 1), 3],
    [() => base.bytes.length - 1 - rng.int(64), 1],
  ])();
  return {
    family: "truncate",
    label: `cut at ${end} of ${base.bytes.length}`,
    bytes: base.bytes.subarray(0, end),
  };
}

/** A few random bytes of the header overwritten. */
export function flipHeader(base: FuzzBase, rng: Rng): Mutant {
  const bytes = base.scratch.copy(base.bytes);
  const n = 1 + rng.int(8);
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = rng.int(Math.min(base.header.dataOffset, bytes.length));
    at.push(p);
    bytes[p] = rng.int(256);
  }
  return { family: "flip-header", label: `${n} header bytes at ${at.join(",")}`, bytes };
}

/** Tensor data overwritten: random bytes, or a run of 0xff (NaN/∞ in float and scale fields). */
export function flipData(base: FuzzBase, rng: Rng): Mutant {
  const bytes = base.scratch.copy(base.bytes);
  const start = base.header.dataOffset;
  const span = bytes.length - start;
  if (rng.chance(0.3)) {
    const at = start + rng.int(span);
    const len = Math.min(bytes.length - at, 1 + rng.int(4096));
    bytes.fill(0xff, at, at + len);
    return { family: "flip-data", label: `${len} bytes of 0xff at ${at}`, bytes };
  }
  const n = 1 + rng.int(64);
  for (let i = 0; i < n; i++) bytes[start + rng.int(span)] = rng.int(256);
  return { family: "flip-data", label: `${n} data bytes`, bytes };
}
