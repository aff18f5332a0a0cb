import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, openSync, rmSync, writeSync, closeSync, ftruncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GgufBoundsError,
  GgufError,
  GgufMagicError,
  GgufTruncatedError,
  GgufTypeError,
  GgufVersionError,
} from "./errors.ts";
import { archKey, archNumber, getArray, getNumber, getString } from "./metadata.ts";
import { parseGguf, readGguf } from "./reader.ts";
import { vocabPath } from "./synth/llama-source.ts";
import { gv } from "./typed.ts";
import { GgmlType, GgufValueType } from "./types.ts";
import { encodeHeader } from "./writer.ts";
import { ByteWriter } from "./encode.ts";

const dir = mkdtempSync(join(tmpdir(), "gguf-reader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function header(metadata = { "general.architecture": gv.str("llama") }): Uint8Array {
  return new Uint8Array(encodeHeader({ metadata, tensors: [] }).header);
}

describe("real vocabulary files from llama.cpp", () => {
  const cases: [string, string, number, number][] = [
    // name, tokenizer model, vocab size, minimum key count
    ["llama-spm", "llama", 32000, 15],
    ["llama-bpe", "gpt2", 128256, 15],
    ["qwen2", "gpt2", 151936, 15],
    ["phi-3", "llama", 32064, 15],
    ["gpt-2", "gpt2", 50257, 12],
    ["bert-bge", "bert", 30522, 15],
  ];
  for (const [name, model, nVocab, minKeys] of cases) {
    test(name, async () => {
      const file = await readGguf(vocabPath(name));
      expect(Object.keys(file.metadata).length).toBeGreaterThanOrEqual(minKeys);
      expect(getString(file, "tokenizer.ggml.model")).toBe(model);
      expect(getArray(file, "tokenizer.ggml.tokens")?.length).toBe(nVocab);
      const types = getArray(file, "tokenizer.ggml.token_type");
      expect(types?.length).toBe(nVocab);
      expect(typeof archKey(file, "context_length")).toBe("number");
      expect(archNumber(file, "embedding_length")).toBeGreaterThan(0);
      expect(getNumber(file, "general.file_type")).toBeGreaterThanOrEqual(0);
      expect(file.tensors).toEqual([]);
      expect(file.dataOffset).toBeLessThanOrEqual(file.fileSize);
    });
  }
});

describe("header only", () => {
  test("a 2 GiB sparse file is parsed without reading its tensor data", async () => {
    const tensorBytes = 2 ** 31;
    const { header: h } = encodeHeader({
      metadata: { "general.architecture": gv.str("llama") },
      tensors: [{ name: "big", shape: [tensorBytes / 4], type: GgmlType.F32, data: () => [] }],
    });
    const path = join(dir, "sparse.gguf");
    const fd = openSync(path, "w");
    writeSync(fd, h);
    ftruncateSync(fd, h.length + tensorBytes);
    closeSync(fd);
    const t0 = performance.now();
    const file = await readGguf(path);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(file.tensors[0]?.byteSize).toBe(tensorBytes);
    expect(file.tensors[0]?.offset).toBe(h.length);
  });
});

describe("malformed input", () => {
  test("bad magic", () => {
    expect(() => parseGguf(new TextEncoder().encode("GGML\x03\0\0\0"))).toThrow(GgufMagicError);
    expect(() => parseGguf(new Uint8Array(0))).toThrow(GgufMagicError);
  });

  test("unsupported version", () => {
    const b = header();
    b[4] = 1;
    expect(() => parseGguf(b)).toThrow(GgufVersionError);
    b[4] = 4;
    expect(() => parseGguf(b)).toThrow(GgufVersionError);
  });

  test("a string length of 2^60 fails fast without allocating", () => {
    const b = header();
    const view = new DataView(b.buffer);
    view.setBigUint64(24, 2n ** 60n, true); // first key's length
    const t0 = performance.now();
    expect(() => parseGguf(b)).toThrow(GgufBoundsError);
    expect(performance.now() - t0).toBeLessThan(50);
  });

  test("a huge key count is refused before any loop", () => {
    const b = header();
    new DataView(b.buffer).setBigUint64(16, 2n ** 62n, true);
    expect(() => parseGguf(b)).toThrow(GgufBoundsError);
  });

  test("truncation inside the metadata", () => {
    const b = header();
    for (const end of [6, 12]) expect(() => parseGguf(b.subarray(0, end))).toThrow(GgufTruncatedError);
    // Cut later, the announced counts or lengths no longer fit in what is left: a bounds error.
    for (const end of [23, 30, 40, b.length - 40])
      expect(() => parseGguf(b.subarray(0, end))).toThrow(GgufError);
  });

  test("a prefix shorter than the announced file size is reported as truncated", () => {
    const b = header();
    expect(() => parseGguf(b.subarray(0, 30), b.length)).toThrow(GgufTruncatedError);
  });

  test("invalid value type", () => {
    const b = header();
    const keyLen = Number(new DataView(b.buffer).getBigUint64(24, true));
    new DataView(b.buffer).setUint32(32 + keyLen, 13, true);
    expect(() => parseGguf(b)).toThrow(GgufTypeError);
  });

  test("arrays of arrays, bad alignment, duplicate keys and tensor names", () => {
    const start = (nKv: number, nTensors = 0) => {
      const w = new ByteWriter();
      w.bytes(new TextEncoder().encode("GGUF"));
      w.u32(3);
      w.u64(nTensors);
      w.u64(nKv);
      return w;
    };
    const nested = start(1);
    nested.str("k");
    nested.u32(GgufValueType.ARRAY);
    nested.u32(GgufValueType.ARRAY);
    nested.u64(0);
    expect(() => parseGguf(nested.result())).toThrow(GgufTypeError);
    const dup = start(2);
    for (let i = 0; i < 2; i++) dup.str("k"), dup.value(gv.u8(1), "k");
    expect(() => parseGguf(dup.result())).toThrow(GgufBoundsError);
    for (const [value, error] of [
      [gv.u32(3), GgufBoundsError],
      [gv.u32(0), GgufBoundsError],
      [gv.u64(32), GgufTypeError],
    ] as const) {
      const w = start(1);
      w.str("general.alignment");
      w.value(value, "k");
      expect(() => parseGguf(w.result())).toThrow(error);
    }
    const dupT = start(0, 2);
    for (let i = 0; i < 2; i++) dupT.str("t"), dupT.u32(1), dupT.u64(0), dupT.u32(GgmlType.F32), dupT.u64(0);
    dupT.pad(32);
    expect(() => parseGguf(dupT.result())).toThrow(GgufBoundsError);
  });

  test("tensor data past the end of the file", () => {
    const { header: h } = encodeHeader({
      metadata: {},
      tensors: [{ name: "t", shape: [64], type: GgmlType.F32, data: () => [] }],
    });
    expect(() => parseGguf(h)).toThrow(GgufError);
    const partial = new Uint8Array(h.length + 200);
    partial.set(h);
    expect(() => parseGguf(partial)).toThrow(GgufTruncatedError);
  });
});
