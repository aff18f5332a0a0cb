/** IEEE 754 half precision conversions, rounding to nearest even as ggml does. */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Half-precision bits of a float32 given by its bit pattern. NaN becomes a quiet NaN (0x7e00). */
export function f16FromF32Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const abs = x & 0x7fffffff;
  if (abs >= 0x7f800000) return sign | (abs > 0x7f800000 ? 0x7e00 : 0x7c00);
  if (abs >= 0x477ff000) return sign | 0x7c00; // >= 65520 rounds past 65504 to infinity
  if (abs >= 0x38800000) {
    // Normal half: rebias the exponent, keep 10 mantissa bits, round the 13 dropped ones.
    const mant = abs & 0x7fffff;
    let h = (((abs >>> 23) - 112) << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++;
    return sign | h;
  }
  if (abs <= 0x33000000) return sign; // <= 2^-25: rounds to (signed) zero; 2^-25 itself ties to even
  // Subnormal half: the value in units of 2^-24, rounded to nearest even (may round up to 0x400).
  const mant = (abs & 0x7fffff) | 0x800000;
  const shift = 126 - (abs >>> 23);
  let h = mant >>> shift;
  const rest = mant & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rest > half || (rest === half && (h & 1) === 1)) h++;
  return sign | h;
}

/** Half-precision bits of a number (first rounded to float32, as a C float would be). */
export function f16Bits(x: number): number {
  f32[0] = x;
  return f16FromF32Bits(u32[0] as number);
}

/** Alias of f16Bits: float → IEEE half bits. */
export const f32ToF16 = f16Bits;

/** The float value of half-precision bits. */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Encodes float32 values as little-endian half floats. */
export function encodeF16(
  src: Float32Array,
  dst: Uint8Array = new Uint8Array(src.length * 2),
  offset = 0,
): Uint8Array {
  if (offset % 2 !== 0 || (dst.byteOffset + offset) % 2 !== 0)
    throw new RangeError("f16 output must be 2-byte aligned");
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(dst.buffer, dst.byteOffset + offset, src.length);
  for (let i = 0; i < bits.length; i++) out[i] = f16FromF32Bits(bits[i] as number);
  return dst;
}
