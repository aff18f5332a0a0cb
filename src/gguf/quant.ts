/**
 * ggml's reference quantizers (ggml-quants.c) in TypeScript, bit-for-bit: every float operation that
 * ggml does in single precision is rounded with Math.fround.
 */
import { f16Bits, f16ToF32 } from "./half.ts";

export { f16Bits, f16ToF32, f32ToF16, encodeF16 } from "./half.ts";

/** Elements per Q8_0 / Q4_0 block. */
export const QK = 32;
/** Bytes per Q8_0 block: f16 scale + 32 int8. */
export const Q8_0_BLOCK_BYTES = 34;
/** Bytes per Q4_0 block: f16 scale + 16 bytes of nibbles. */
export const Q4_0_BLOCK_BYTES = 18;

const fround = Math.fround;

function checkLength(n: number, dst: Uint8Array, offset: number, blockBytes: number): void {
  if (n % QK !== 0) throw new RangeError(`length ${n} is not a multiple of ${QK}`);
  if (offset + (n / QK) * blockBytes > dst.length) throw new RangeError("destination too small");
}

/** C's roundf: halves away from zero. */
function roundf(x: number): number {
  return x >= 0 ? Math.floor(x + 0.5) : -Math.floor(-x + 0.5);
}

/** Quantizes `src` (length a multiple of 32) to Q8_0 blocks in `dst` at `offset`, as quantize_row_q8_0_ref. */
export function quantizeQ8_0(src: Float32Array, dst: Uint8Array, offset = 0): void {
  checkLength(src.length, dst, offset, Q8_0_BLOCK_BYTES);
  let o = offset;
  for (let b = 0; b < src.length; b += QK) {
    let amax = 0;
    for (let j = 0; j < QK; j++) {
      const a = Math.abs(src[b + j] as number);
      if (a > amax) amax = a;
    }
    const d = fround(amax / 127);
    const id = d !== 0 ? fround(1 / d) : 0;
    const h = f16Bits(d);
    dst[o] = h & 0xff;
    dst[o + 1] = h >>> 8;
    for (let j = 0; j < QK; j++) dst[o + 2 + j] = roundf(fround((src[b + j] as number) * id)) & 0xff;
    o += Q8_0_BLOCK_BYTES;
  }
}

/** Quantizes `src` (length a multiple of 32) to Q4_0 blocks in `dst` at `offset`, as quantize_row_q4_0_ref. */
export function quantizeQ4_0(src: Float32Array, dst: Uint8Array, offset = 0): void {
  checkLength(src.length, dst, offset, Q4_0_BLOCK_BYTES);
  let o = offset;
  for (let b = 0; b < src.length; b += QK) {
    // The scale comes from the value with the largest magnitude, keeping its sign: it maps to -8.
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QK; j++) {
      const v = src[b + j] as number;
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = fround(max / -8);
    const id = d !== 0 ? fround(1 / d) : 0;
    const h = f16Bits(d);
    dst[o] = h & 0xff;
    dst[o + 1] = h >>> 8;
    for (let j = 0; j < QK / 2; j++) {
      const x0 = fround((src[b + j] as number) * id);
      const x1 = fround((src[b + QK / 2 + j] as number) * id);
      const q0 = Math.min(15, Math.trunc(fround(x0 + 8.5)));
      const q1 = Math.min(15, Math.trunc(fround(x1 + 8.5)));
      dst[o + 2 + j] = q0 | (q1 << 4);
    }
    o += Q4_0_BLOCK_BYTES;
  }
}

/** Dequantizes `n` values of Q8_0 data. */
export function dequantizeQ8_0(data: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let b = 0, o = 0; b < n; b += QK, o += Q8_0_BLOCK_BYTES) {
    const d = f16ToF32((data[o] as number) | ((data[o + 1] as number) << 8));
    for (let j = 0; j < QK; j++) out[b + j] = ((((data[o + 2 + j] as number) << 24) >> 24) as number) * d;
  }
  return out;
}

/** Dequantizes `n` values of Q4_0 data. */
export function dequantizeQ4_0(data: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let b = 0, o = 0; b < n; b += QK, o += Q4_0_BLOCK_BYTES) {
    const d = f16ToF32((data[o] as number) | ((data[o + 1] as number) << 8));
    for (let j = 0; j < QK / 2; j++) {
      const q = data[o + 2 + j] as number;
      out[b + j] = ((q & 0x0f) - 8) * d;
      out[b + QK / 2 + j] = ((q >>> 4) - 8) * d;
    }
  }
  return out;
}
