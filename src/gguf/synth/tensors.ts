import { encodeF16, quantizeQ4_0, quantizeQ8_0 } from "../quant.ts";
import { GgmlType, tensorByteSize } from "../types.ts";
import type { TensorPlan } from "./presets.ts";
import { SynthOptionError } from "./errors.ts";
import { hashString, Xoshiro128 } from "./rng.ts";

/** Values generated per chunk: bounds memory to a few MB whatever the tensor size. */
const CHUNK_VALUES = 1 << 20;

/**
 * Yields a tensor's bytes chunk by chunk (whole rows per chunk). Each tensor has its own generator
 * seeded from (seed, name), so its bytes do not depend on the order tensors are produced in.
 * Chunks reuse one buffer: the consumer must copy or write each before asking for the next.
 */
export function* tensorChunks(t: TensorPlan, type: GgmlType, seed: number): Generator<Uint8Array> {
  const ne0 = t.shape[0] ?? 1;
  const rows = (t.shape.reduce((a, b) => a * b, 1) / ne0) | 0;
  const chunkRows = Math.max(1, Math.floor(CHUNK_VALUES / ne0));
  const rng = new Xoshiro128(hashString(`${seed}:${t.name}`));
  const values = new Float32Array(chunkRows * ne0);
  const rowBytes = tensorByteSize(type, [ne0]) as number;
  const out = new Uint8Array(chunkRows * rowBytes);
  for (let r = 0; r < rows; r += chunkRows) {
    const n = Math.min(chunkRows, rows - r) * ne0;
    const v = values.subarray(0, n);
    if (t.init === "normal") rng.fillNormal(v, t.std);
    else v.fill(t.init === "ones" ? 1 : 0);
    t.patch?.(v, r);
    const bytes = out.subarray(0, (n / ne0) * rowBytes);
    encode(v, type, bytes);
    yield bytes;
  }
}

function encode(v: Float32Array, type: GgmlType, out: Uint8Array): void {
  switch (type) {
    case GgmlType.F32:
      out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return;
    case GgmlType.F16:
      encodeF16(v, out);
      return;
    case GgmlType.Q8_0:
      quantizeQ8_0(v, out);
      return;
    case GgmlType.Q4_0:
      quantizeQ4_0(v, out);
      return;
    default:
      throw new SynthOptionError(`no encoder for ggml type ${type}`);
  }
}
