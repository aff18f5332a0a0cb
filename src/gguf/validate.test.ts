import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GgufBoundsError,
  GgufError,
  GgufTruncatedError,
  GgufTypeError,
  InvalidModelFileError,
  InvalidStoredModelError,
} from "./errors.ts";
import { MAX_ARRAY_ITEMS } from "./limits.ts";
import { parseGguf } from "./reader.ts";
import { type CraftSpec, craftGguf, tinyLlama, withKey } from "./testing.ts";
import { gv } from "./typed.ts";
import { GgmlType, GgufValueType } from "./types.ts";
import { ggufProblems, readValidGguf, validateGguf, validateStoredGguf } from "./validate.ts";

const dir = mkdtempSync(join(tmpdir(), "tsllm-validate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Problems of a crafted spec (the reader must accept it). */
const problems = (spec: CraftSpec) => ggufProblems(parseGguf(craftGguf(spec).bytes));

/** The reader's error for crafted bytes, patched at the first field of `kind` (and `owner`, when given). */
function patched(spec: CraftSpec, kind: string, value: bigint | number, owner?: string): unknown {
  const { bytes, fields } = craftGguf(spec);
  const f = fields.find((x) => x.kind === kind && (owner === undefined || x.owner === owner));
  if (!f) throw new Error(`no ${kind} field`);
  const view = new DataView(bytes.buffer);
  if (f.size === 8) view.setBigUint64(f.at, BigInt(value), true);
  else view.setUint32(f.at, Number(value), true);
  try {
    parseGguf(bytes);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("reader bounds (before anything is allocated)", () => {
  test("a base file parses and validates clean", () => {
    expect(problems(tinyLlama())).toEqual([]);
  });

  test("2^40 array elements in a small file fail fast with a bounds error", () => {
    const e = patched(tinyLlama(), "array_len", 2n ** 40n, "tokenizer.ggml.tokens");
    expect(e).toBeInstanceOf(GgufBoundsError);
    expect(String(e)).toContain("does not fit in the file");
  });

  test("an array longer than the item limit is refused even when the file is large enough", () => {
    const spec: CraftSpec = { metadata: [["x", gv.array(GgufValueType.UINT8, [1])]], tensors: [] };
    const { bytes, fields } = craftGguf(spec);
    const at = fields.find((f) => f.kind === "array_len")?.at as number;
    new DataView(bytes.buffer).setBigUint64(at, BigInt(MAX_ARRAY_ITEMS + 1), true);
    // Claim a 1 TiB file: only the item limit stands in the way.
    expect(() => parseGguf(bytes, 2 ** 40)).toThrow(`limit ${MAX_ARRAY_ITEMS}`);
  });

  test("a string longer than the header limit is refused without reading it", () => {
    const spec: CraftSpec = { metadata: [["x", gv.str("y")]], tensors: [] };
    const { bytes, fields } = craftGguf(spec);
    const at = fields.find((f) => f.kind === "str_len")?.at as number;
    new DataView(bytes.buffer).setBigUint64(at, 2n ** 30n, true);
    expect(() => parseGguf(bytes, 2 ** 40)).toThrow("does not fit in the header limit");
  });

  test("header counts beyond the file are refused", () => {
    for (const kind of ["n_tensors", "n_kv"]) {
      for (const v of [2n ** 40n, 2n ** 64n - 1n, 100_000n]) {
        expect(patched(tinyLlama(), kind, v)).toBeInstanceOf(GgufBoundsError);
      }
    }
  });

  test("tensor infos: dimensions, negative ne, type, block divisibility", () => {
    expect(String(patched(tinyLlama(), "n_dims", 5))).toContain("has 5 dimensions");
    expect(String(patched(tinyLlama(), "ne", 2n ** 64n - 1n))).toContain("is negative");
    expect(patched(tinyLlama(), "tensor_type", 4)).toBeInstanceOf(GgufTypeError);
    expect(patched(tinyLlama(), "tensor_type", 0xffffffff)).toBeInstanceOf(GgufTypeError);
    // ne[0] = 64 is not a whole number of Q4_K blocks (256 elements).
    expect(String(patched(tinyLlama(), "tensor_type", GgmlType.Q4_K))).toContain("block size (256)");
    expect(String(patched(tinyLlama(), "ne", 2n ** 52n))).toContain("more than the whole file");
  });

  test("tensor offsets: misaligned and past the end of the file", () => {
    const misaligned = patched(tinyLlama(), "offset", 33, "output_norm.weight");
    expect(String(misaligned)).toContain(
      "'output_norm.weight' data offset 33 is not a multiple of the alignment (32)",
    );
    const past = patched(tinyLlama(), "offset", 1 << 20, "output_norm.weight");
    expect(past).toBeInstanceOf(GgufTruncatedError);
    expect(String(past)).toMatch(
      /'output_norm\.weight' data ends at byte \d+, past the end of the file \(\d+ bytes\)/,
    );
  });

  test("alignment must be a power of two and a uint32", () => {
    const spec = tinyLlama();
    expect(() => parseGguf(craftGguf(withKey(spec, "general.alignment", gv.u32(48))).bytes)).toThrow(
      "not a power of two",
    );
    expect(() => parseGguf(craftGguf(withKey(spec, "general.alignment", gv.u64(32))).bytes)).toThrow(
      GgufTypeError,
    );
  });

  test("truncation anywhere in the header is a GgufError", () => {
    const { bytes, dataOffset } = craftGguf(tinyLlama());
    for (let end = 0; end < dataOffset; end += 7) {
      expect(() => parseGguf(bytes.subarray(0, end))).toThrow(GgufError);
    }
  });

  test("a huge claimed string in a large sparse file fails without loading it", async () => {
    const spec: CraftSpec = { metadata: [["x", gv.str("y")]], tensors: [] };
    const { bytes, fields } = craftGguf(spec);
    const at = fields.find((f) => f.kind === "str_len")?.at as number;
    new DataView(bytes.buffer).setBigUint64(at, 1n << 31n, true);
    const path = join(dir, "sparse.gguf");
    writeFileSync(path, bytes);
    truncateSync(path, 3 * 2 ** 30); // 3 GiB, no blocks on disk
    await expect(readValidGguf(path)).rejects.toThrow("header limit");
  });
});

describe("tensor placement", () => {
  test("out-of-order or gapped offsets are refused, as llama.cpp's loader does", () => {
    const spec = tinyLlama();
    const placed = parseGguf(craftGguf(spec).bytes);
    const at = (name: string) =>
      (placed.tensors.find((t) => t.name === name)?.offset ?? 0) - placed.dataOffset;
    // Swap the data of two tensors of equal size: every byte stays inside the file.
    const [a, b] = ["blk.0.attn_q.weight", "blk.1.attn_q.weight"];
    const swapped = {
      ...spec,
      tensors: spec.tensors.map((t) =>
        t.name === a ? { ...t, offset: at(b) } : t.name === b ? { ...t, offset: at(a) } : t,
      ),
    };
    expect(problems(swapped)).toEqual([
      `tensor '${a}' data starts at offset ${at(b)} of the data section, expected ${at(a)} (tensors must be stored in order, each aligned to 32 bytes)`,
    ]);
    // Padding between tensors beyond the alignment is a gap llama.cpp refuses too.
    const gapped = {
      ...spec,
      tensors: spec.tensors.map((t) => (t.name === b ? { ...t, offset: at(b) + 32 } : t)),
    };
    expect(problems({ ...gapped, data: new Uint8Array(placed.fileSize) })[0]).toContain(
      `tensor '${b}' data starts`,
    );
  });
});

describe("tensor alignment in the file", () => {
  test("an alignment below ggml's 32 bytes leaves tensors where a mapped load asserts", () => {
    // With general.alignment 8 the data section starts on an 8-byte boundary only.
    const spec = { ...withKey(tinyLlama(), "general.alignment", gv.u32(8)), alignment: 8 };
    const file = parseGguf(craftGguf(spec).bytes);
    expect(file.dataOffset % 32).toBe(8);
    expect(ggufProblems(file)[0]).toContain("not a multiple of 32 (general.alignment 8 is too small)");
    // A larger power of two is fine.
    const wide = { ...withKey(tinyLlama(), "general.alignment", gv.u32(64)), alignment: 64 };
    expect(problems(wide)).toEqual([]);
  });
});

describe("tensor types", () => {
  test("norms, biases and other vectors must be F32 (ggml aborts adding anything else to activations)", () => {
    const spec = tinyLlama();
    const retyped = (name: string, type: number) => ({
      ...spec,
      tensors: spec.tensors.map((t) => (t.name === name ? { ...t, type } : t)),
    });
    expect(problems(retyped("blk.0.attn_norm.weight", GgmlType.BF16))).toEqual([
      "tensor 'blk.0.attn_norm.weight' is stored as BF16, but llama.cpp only computes with F32 norms, biases and vectors",
    ]);
    expect(problems(retyped("output_norm.weight", GgmlType.F16))[0]).toContain("stored as F16");
    // Matrices may have any float or quantized type, but not an integer one (no matrix multiply for those).
    expect(problems(retyped("blk.0.attn_q.weight", GgmlType.F16))).toEqual([]);
    expect(problems(retyped("blk.0.attn_q.weight", GgmlType.I8))).toEqual([
      "tensor 'blk.0.attn_q.weight' is stored as I8, which ggml cannot multiply matrices with",
    ]);
  });
});

describe("validateGguf", () => {
  test("throws a 400 naming the first problem and counting the rest", () => {
    const spec = withKey(
      withKey(tinyLlama(), "llama.block_count", gv.u32(0)),
      "llama.context_length",
      gv.u32(0),
    );
    const file = parseGguf(craftGguf(spec).bytes);
    let error: unknown;
    try {
      validateGguf(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidModelFileError);
    const e = error as InvalidModelFileError;
    expect(e.status).toBe(400);
    expect(e.message).toStartWith("llama.block_count is 0");
    expect(e.message).toContain("(and 1 more problems)");
    expect(e.problems).toHaveLength(2);
  });

  test("a stored file's problems are the server's 500, worded for the client", () => {
    const file = parseGguf(craftGguf(withKey(tinyLlama(), "llama.block_count", gv.u32(2 ** 31))).bytes);
    expect(() => validateStoredGguf(file)).toThrow(InvalidStoredModelError);
    try {
      validateStoredGguf(file);
    } catch (e) {
      expect((e as InvalidStoredModelError).status).toBe(500);
      expect((e as Error).message).toStartWith("model file is invalid: llama.block_count 2147483648");
    }
  });

  test("a 1000-tensor file is validated by a single pass", () => {
    const file = parseGguf(craftGguf(tinyLlama({ blockCount: 333 })).bytes);
    expect(file.tensors.length).toBe(1001);
    // 333 blocks are within llama.cpp's limit: the file is valid.
    expect(() => validateGguf(file)).not.toThrow();
  });
});
