import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GgufError } from "./errors.ts";
import { encodeF16, quantizeQ4_0, quantizeQ8_0 } from "./quant.ts";
import { readGguf, readGgufTyped } from "./reader.ts";
import { gv } from "./typed.ts";
import { GgmlType, GgufValueType } from "./types.ts";
import { writeGguf } from "./writer.ts";

const dir = mkdtempSync(join(tmpdir(), "gguf-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const big = 2n ** 63n + 5n;
const metadata = {
  "general.architecture": gv.str("llama"),
  "t.u8": gv.u8(255),
  "t.i8": gv.i8(-128),
  "t.u16": gv.u16(65535),
  "t.i16": gv.i16(-32768),
  "t.u32": gv.u32(4294967295),
  "t.i32": gv.i32(-2147483648),
  "t.f32": gv.f32(0.25),
  "t.f64": gv.f64(Math.PI),
  "t.bool": gv.bool(true),
  "t.str": gv.str("héllo ✓ 日本"),
  "t.empty": gv.str(""),
  "t.u64.small": gv.u64(12345),
  "t.u64.big": gv.u64(big),
  "t.i64.neg": gv.i64(-(2n ** 62n)),
  "t.i64.small": gv.i64(-7),
  "t.arr.u8": gv.array(GgufValueType.UINT8, [0, 1, 255]),
  "t.arr.i8": gv.array(GgufValueType.INT8, [-1, 2]),
  "t.arr.u16": gv.array(GgufValueType.UINT16, [1, 65535]),
  "t.arr.i16": gv.array(GgufValueType.INT16, [-3, 4]),
  "t.arr.u32": gv.array(GgufValueType.UINT32, [7, 8]),
  "t.arr.i32": gv.array(GgufValueType.INT32, [-9]),
  "t.arr.f32": gv.array(GgufValueType.FLOAT32, [1.5, -2]),
  "t.arr.f64": gv.array(GgufValueType.FLOAT64, [1e300]),
  "t.arr.bool": gv.array(GgufValueType.BOOL, [true, false]),
  "t.arr.str": gv.array(GgufValueType.STRING, ["a", "", "ü"]),
  "t.arr.u64": gv.array(GgufValueType.UINT64, [1, big]),
  "t.arr.i64": gv.array(GgufValueType.INT64, [-1, 2]),
  "t.arr.empty": gv.array(GgufValueType.INT32, []),
};

function seq(n: number, scale = 0.01): Float32Array {
  return new Float32Array(n).map((_, i) => Math.sin(i) * scale * (1 + (i % 7)));
}

describe("writer → reader round trip", () => {
  test("every value type, several tensor types, alignment", async () => {
    const f32 = seq(64 * 3);
    const f16 = encodeF16(seq(32 * 2));
    const q8 = new Uint8Array((64 * 4 * 34) / 32);
    quantizeQ8_0(seq(64 * 4), q8);
    const q4 = new Uint8Array((96 * 2 * 18) / 32);
    quantizeQ4_0(seq(96 * 2), q4);
    const q6k = new Uint8Array(210 * 2).map((_, i) => i & 0xff);
    const tensors = [
      { name: "a.f32", shape: [64, 3], type: GgmlType.F32, bytes: new Uint8Array(f32.buffer) },
      { name: "b.f16", shape: [32, 2], type: GgmlType.F16, bytes: f16 },
      { name: "c.q8_0", shape: [64, 4], type: GgmlType.Q8_0, bytes: q8 },
      { name: "d.q4_0", shape: [96, 2], type: GgmlType.Q4_0, bytes: q4 },
      { name: "e.q6_k", shape: [256, 1, 2], type: GgmlType.Q6_K, bytes: q6k },
      { name: "f.bf16", shape: [3], type: GgmlType.BF16, bytes: new Uint8Array([1, 2, 3, 4, 5, 6]) },
    ];
    const path = join(dir, "all.gguf");
    const size = await writeGguf(path, {
      metadata,
      tensors: tensors.map((t) => ({
        ...t,
        // Split into uneven chunks to exercise the staging buffer.
        data: function* () {
          yield t.bytes.subarray(0, 5);
          yield t.bytes.subarray(5);
        },
      })),
    });
    const { file, types } = await readGgufTyped(path);
    expect(file.fileSize).toBe(size);
    expect(file.version).toBe(3);
    expect(file.alignment).toBe(32);
    expect(file.metadata["general.alignment"]).toBe(32);
    for (const [k, v] of Object.entries(metadata)) {
      expect(file.metadata[k]).toEqual(v.value);
      expect(types.get(k)?.type).toBe(v.type);
      if (v.itemType !== undefined) expect(types.get(k)?.itemType).toBe(v.itemType);
    }
    expect(file.metadata["t.u64.big"]).toBe(big);
    expect(typeof file.metadata["t.u64.small"]).toBe("number");
    expect(typeof file.metadata["t.i64.neg"]).toBe("bigint");
    const bytes = new Uint8Array(await Bun.file(path).arrayBuffer());
    expect(file.tensors.map((t) => t.name)).toEqual(tensors.map((t) => t.name));
    for (const [i, t] of file.tensors.entries()) {
      const want = tensors[i];
      if (want === undefined) throw new Error("missing");
      expect(t.shape).toEqual(want.shape);
      expect(t.type).toBe(want.type);
      expect(t.byteSize).toBe(want.bytes.length);
      expect(t.offset % 32).toBe(0);
      expect(t.offset).toBeGreaterThanOrEqual(file.dataOffset);
      expect(bytes.subarray(t.offset, t.offset + t.byteSize)).toEqual(new Uint8Array(want.bytes));
    }
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  test("custom alignment is honoured", async () => {
    const path = join(dir, "align.gguf");
    const data = new Uint8Array(12);
    await writeGguf(path, {
      metadata: {},
      alignment: 64,
      tensors: ["x", "y"].map((name) => ({ name, shape: [3], type: GgmlType.F32, data: () => [data] })),
    });
    const file = await readGguf(path);
    expect(file.alignment).toBe(64);
    expect(file.tensors.map((t) => t.offset - file.dataOffset)).toEqual([0, 64]);
  });

  test("a producer yielding the wrong byte count fails and leaves no file behind", async () => {
    const path = join(dir, "bad.gguf");
    const spec = {
      metadata: {},
      tensors: [{ name: "x", shape: [4], type: GgmlType.F32, data: () => [new Uint8Array(15)] }],
    };
    await expect(writeGguf(path, spec)).rejects.toBeInstanceOf(GgufError);
    expect(readdirSync(dir).filter((f) => f.startsWith("bad.gguf"))).toEqual([]);
  });

  test("invalid values are refused", async () => {
    const path = join(dir, "bad2.gguf");
    const write = (m: Record<string, ReturnType<typeof gv.u8>>) =>
      writeGguf(path, { metadata: m, tensors: [] });
    await expect(write({ k: gv.u8(256) })).rejects.toBeInstanceOf(GgufError);
    await expect(write({ k: gv.u64(-1) })).rejects.toBeInstanceOf(GgufError);
    await expect(write({ k: gv.array(GgufValueType.ARRAY, []) })).rejects.toBeInstanceOf(GgufError);
    const q4 = { name: "q", shape: [30], type: GgmlType.Q4_0, data: () => [] };
    await expect(writeGguf(path, { metadata: {}, tensors: [q4] })).rejects.toBeInstanceOf(GgufError);
  });
});
