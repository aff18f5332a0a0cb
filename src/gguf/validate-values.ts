/** Reading metadata values for validation: integers of any width, per-layer arrays, and their problems. */
import type { GgufValue } from "./value.ts";

/** A metadata value read as an integer, or the reason it is not one. */
export type IntRead = { ok: true; value: bigint } | { ok: false; problem: string };

/** What a value is, in words ("a string", "an array of 3 items"). */
export function describeValue(v: unknown): string {
  if (Array.isArray(v)) return `an array of ${v.length} items`;
  if (typeof v === "number" && !Number.isInteger(v)) return `the non-integer ${v}`;
  return `a ${typeof v}`;
}

/** `v` as an integer (uint64/int64 values beyond 2^53 arrive as bigint). */
export function readInt(key: string, v: unknown): IntRead {
  if (typeof v === "bigint") return { ok: true, value: v };
  if (typeof v === "number" && Number.isInteger(v)) return { ok: true, value: BigInt(v) };
  return { ok: false, problem: `${key} must be an integer, not ${describeValue(v)}` };
}

/**
 * A scalar-or-per-layer value (llama.cpp's get_key_or_arr): a scalar applies to every layer, an array must
 * have one integer per layer. Returns the per-layer values, or pushes problems and returns undefined.
 */
export function perLayer(
  key: string,
  v: GgufValue | undefined,
  layers: number,
  problems: string[],
): bigint[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    const r = readInt(key, v);
    if (!r.ok) {
      problems.push(r.problem);
      return undefined;
    }
    return new Array<bigint>(layers).fill(r.value);
  }
  if (v.length !== layers) {
    problems.push(`${key} lists ${v.length} values, but the model has ${layers} layers`);
    return undefined;
  }
  const out: bigint[] = [];
  for (const [i, item] of v.entries()) {
    const r = readInt(`${key}[${i}]`, item);
    if (!r.ok) {
      problems.push(r.problem);
      return undefined;
    }
    out.push(r.value);
  }
  return out;
}

/** The largest of a non-empty list. */
export function maxOf(xs: readonly bigint[]): bigint {
  let m = xs[0] ?? 0n;
  for (const x of xs) if (x > m) m = x;
  return m;
}
