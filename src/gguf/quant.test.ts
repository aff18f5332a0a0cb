import { describe, expect, test } from "bun:test";
import { f16FromF32Bits } from "./half.ts";
import {
  dequantizeQ4_0,
  dequantizeQ8_0,
  encodeF16,
  f16Bits,
  f16ToF32,
  quantizeQ4_0,
  quantizeQ8_0,
} from "./quant.ts";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (b: number) => ((u32[0] = b >>> 0), f32[0] as number);
const toBits = (x: number) => ((f32[0] = x), u32[0] as number);

/** ggml_compute_fp32_to_fp16's float trick, used here as an independent oracle. */
function ggmlF16(bitsIn: number): number {
  const f = fromBits(bitsIn);
  let base = Math.fround(Math.fround(Math.abs(f) * 2 ** 112) * 2 ** -110);
  const w = bitsIn >>> 0;
  const shl1 = (w * 2) % 2 ** 32;
  const sign = w & 0x80000000;
  let bias = (shl1 & 0xff000000) >>> 0;
  if (bias < 0x71000000) bias = 0x71000000;
  base = Math.fround(fromBits((bias >>> 1) + 0x07800000) + base);
  const bits = toBits(base);
  const nonsign = ((bits >>> 13) & 0x7c00) + (bits & 0x0fff);
  return ((sign >>> 16) | (shl1 > 0xff000000 ? 0x7e00 : nonsign)) & 0xffff;
}

/** A small deterministic PRNG for test vectors. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

describe("f16", () => {
  test("hand-worked values", () => {
    expect(f16Bits(1)).toBe(0x3c00);
    expect(f16Bits(-2)).toBe(0xc000);
    expect(f16Bits(65504)).toBe(0x7bff);
    expect(f16Bits(65519)).toBe(0x7bff);
    expect(f16Bits(65520)).toBe(0x7c00);
    expect(f16Bits(Number.POSITIVE_INFINITY)).toBe(0x7c00);
    expect(f16Bits(Number.NEGATIVE_INFINITY)).toBe(0xfc00);
    expect(f16Bits(Number.NaN)).toBe(0x7e00);
    expect(f16Bits(-0)).toBe(0x8000);
    expect(f16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(f16Bits(2 ** -25)).toBe(0x0000); // tie rounds to even (zero)
    expect(f16Bits(1.5 * 2 ** -25)).toBe(0x0001);
    expect(f16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 units: tie to even 2
    expect(f16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(f16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie to even
    expect(f16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie to even, upwards
    expect(f16ToF32(0x3555)).toBeCloseTo(1 / 3, 3);
    expect(f16ToF32(0x0001)).toBe(2 ** -24);
    expect(f16ToF32(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
  });

  test("matches ggml's conversion on 200k random bit patterns and every half value", () => {
    const next = lcg(7);
    for (let i = 0; i < 200_000; i++) {
      const b = next();
      expect(f16FromF32Bits(b)).toBe(ggmlF16(b));
    }
    for (let h = 0; h < 0x10000; h++) {
      const v = f16ToF32(h);
      if (!Number.isNaN(v)) expect(f16Bits(v)).toBe(h);
    }
  });

  test("encodeF16 writes little-endian halves", () => {
    const out = encodeF16(new Float32Array([1, -2]));
    expect([...out]).toEqual([0x00, 0x3c, 0x00, 0xc0]);
  });
});

describe("q8_0", () => {
  test("hand-worked block: amax 127 gives scale 1 and exact quants", () => {
    const src = new Float32Array(32).map((_, j) => j * 8 - 124);
    src[31] = 127;
    const dst = new Uint8Array(34);
    quantizeQ8_0(src, dst);
    expect(dst[0]).toBe(0x00);
    expect(dst[1]).toBe(0x3c);
    const q = new Int8Array(dst.buffer, 2, 32);
    expect([...q]).toEqual([...src].map((v) => v));
  });

  test("zero block has scale 0", () => {
    const dst = new Uint8Array(34).fill(9);
    quantizeQ8_0(new Float32Array(32), dst);
    expect([...dst]).toEqual(new Array(34).fill(0));
  });

  test("rounds halves away from zero", () => {
    const src = new Float32Array(32);
    src[0] = 127;
    src[1] = 2.5;
    src[2] = -2.5;
    const dst = new Uint8Array(34);
    quantizeQ8_0(src, dst);
    expect(new Int8Array(dst.buffer, 2, 3)).toEqual(new Int8Array([127, 3, -3]));
  });

  test("round trip error within half a step plus the f16 scale rounding", () => {
    const next = lcg(3);
    const src = new Float32Array(4096).map(() => next() / 2 ** 32 - 0.5);
    const dst = new Uint8Array((4096 / 32) * 34);
    quantizeQ8_0(src, dst);
    const back = dequantizeQ8_0(dst, src.length);
    for (let b = 0; b < src.length; b += 32) {
      const block = src.subarray(b, b + 32);
      const step = Math.max(...block.map(Math.abs)) / 127;
      for (let j = 0; j < 32; j++)
        expect(Math.abs((back[b + j] as number) - (block[j] as number))).toBeLessThanOrEqual(
          step * (0.5 + 127 / 2048),
        );
    }
  });
});

describe("q4_0", () => {
  test("hand-worked block: max -8 gives scale 1", () => {
    const src = new Float32Array(32);
    for (let j = 0; j < 16; j++) src[j] = j - 8;
    const dst = new Uint8Array(18);
    quantizeQ4_0(src, dst);
    expect([dst[0], dst[1]]).toEqual([0x00, 0x3c]);
    // low nibble: first 16 values (j - 8 + 8 = j); high nibble: last 16 values (0 + 8)
    expect([...dst.subarray(2)]).toEqual(Array.from({ length: 16 }, (_, j) => j | 0x80));
  });

  test("positive max gives a negative scale; ties truncate after +8.5", () => {
    const src = new Float32Array(32);
    src[0] = 16; // d = 16 / -8 = -2, id = -0.5
    src[1] = -14; // -14 * -0.5 + 8.5 = 15.5 → 15
    src[2] = 3; // -1.5 + 8.5 = 7
    src[16] = -16; // same magnitude as 16 but later: first max wins; 8 + 8.5 → min(15, 16)
    const dst = new Uint8Array(18);
    quantizeQ4_0(src, dst);
    expect([dst[0], dst[1]]).toEqual([0x00, 0xc0]);
    expect(dst[2]).toBe(0 | (15 << 4));
    expect(dst[3]).toBe(15 | (8 << 4));
    expect(dst[4]).toBe(7 | (8 << 4));
  });

  test("round trip error within one step (the +amax side clips at 7)", () => {
    const next = lcg(5);
    const src = new Float32Array(4096).map(() => next() / 2 ** 32 - 0.5);
    const dst = new Uint8Array((4096 / 32) * 18);
    quantizeQ4_0(src, dst);
    const back = dequantizeQ4_0(dst, src.length);
    for (let b = 0; b < src.length; b += 32) {
      const block = src.subarray(b, b + 32);
      const step = Math.max(...block.map(Math.abs)) / 8;
      for (let j = 0; j < 32; j++)
        expect(Math.abs((back[b + j] as number) - (block[j] as number))).toBeLessThanOrEqual(
          step * (1 + 8 / 2048),
        );
    }
  });
});
