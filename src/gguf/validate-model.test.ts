import { describe, expect, test } from "bun:test";
import { parseGguf } from "./reader.ts";
import { type CraftSpec, craftGguf, tinyLlama, withKey, withoutKey } from "./testing.ts";
import { gv } from "./typed.ts";
import { GgufValueType } from "./types.ts";
import { ggufProblems } from "./validate.ts";

/** Problems of a crafted spec (the reader must accept it). */
const problems = (spec: CraftSpec) => ggufProblems(parseGguf(craftGguf(spec).bytes));

describe("block_count", () => {
  test.each([
    ["0", gv.u32(0), "llama.block_count is 0"],
    ["2^31", gv.u32(2 ** 31), "llama.block_count 2147483648 is larger than llama.cpp's limit of 512 layers"],
    ["-1", gv.i32(-1), "llama.block_count -1 is negative"],
    ["2^40 as uint64", gv.u64(2n ** 40n), "larger than llama.cpp's limit"],
    ["a string", gv.str("2"), "llama.block_count must be an integer, not a string"],
    ["an array", gv.array(GgufValueType.UINT32, [2]), "must be an integer, not an array"],
  ])("%s is refused", (_, value, message) => {
    expect(problems(withKey(tinyLlama(), "llama.block_count", value))[0]).toContain(message);
  });

  test("missing is refused", () => {
    expect(problems(withoutKey(tinyLlama(), "llama.block_count"))).toContain("llama.block_count is missing");
  });

  test("512 is the largest accepted", () => {
    const big = tinyLlama({ blockCount: 512 });
    expect(problems(big)).toEqual([]);
    expect(problems(withKey(big, "llama.block_count", gv.u32(513)))).toHaveLength(1);
  });

  test("tensors of blocks the model does not have", () => {
    expect(problems(withKey(tinyLlama({ blockCount: 3 }), "llama.block_count", gv.u32(2)))).toEqual([
      "tensor 'blk.2.attn_norm.weight' belongs to block 2, but the model has 2 blocks",
    ]);
  });

  test("blocks without tensors", () => {
    expect(problems(withKey(tinyLlama({ blockCount: 2 }), "llama.block_count", gv.u32(3)))).toEqual([
      "block 2 has no tensors, but the model has 3 blocks",
    ]);
    // A vocabulary-only file has no tensors at all and is left alone.
    expect(problems({ ...withKey(tinyLlama(), "llama.block_count", gv.u32(3)), tensors: [] })).toEqual([]);
  });
});

describe("key types", () => {
  test("keys llama.cpp reads with one exact type", () => {
    const base = tinyLlama();
    expect(problems(withKey(base, "llama.context_length", gv.u64(256)))).toEqual([
      "llama.context_length is stored as UINT64, but llama.cpp reads it as UINT32",
    ]);
    expect(problems(withKey(base, "llama.attention.layer_norm_rms_epsilon", gv.u32(1)))[0]).toContain(
      "is stored as UINT32, but llama.cpp reads it as FLOAT32",
    );
    expect(problems(withKey(base, "tokenizer.ggml.bos_token_id", gv.i32(1)))[0]).toContain("stored as INT32");
    // Per-layer keys may be one value or an array of (u)int32.
    const perLayer = gv.array(GgufValueType.INT32, [4, 4]);
    expect(problems(withKey(base, "llama.attention.head_count", perLayer))).toEqual([]);
    expect(problems(withKey(base, "llama.attention.head_count", gv.i64(4)))[0]).toContain(
      "but llama.cpp reads it as UINT32 or an array of them",
    );
  });
});

describe("hyper-parameters", () => {
  const base = tinyLlama();
  test.each([
    [
      "embedding_length 0",
      withKey(base, "llama.embedding_length", gv.u32(0)),
      "llama.embedding_length 0 is out of range",
    ],
    ["no embedding_length", withoutKey(base, "llama.embedding_length"), "llama.embedding_length is missing"],
    [
      "context_length 0",
      withKey(base, "llama.context_length", gv.u32(0)),
      "llama.context_length 0 is out of range",
    ],
    [
      "heads not a multiple of KV heads",
      withKey(base, "llama.attention.head_count_kv", gv.u32(3)),
      "layer 0 has 4 attention heads, not a multiple of its 3 KV heads",
    ],
    [
      "per-layer heads of the wrong length",
      withKey(base, "llama.attention.head_count", gv.array(GgufValueType.UINT32, [4, 4, 4])),
      "llama.attention.head_count lists 3 values, but the model has 2 layers",
    ],
    [
      "n_embd not divisible by n_head",
      withKey(base, "llama.attention.head_count", gv.u32(6)),
      "llama.embedding_length 64 is not divisible by llama.attention.head_count 6",
    ],
    [
      "too many experts",
      withKey(base, "llama.expert_count", gv.u32(2000)),
      "llama.expert_count 2000 is out of range",
    ],
    [
      "more experts used than exist",
      withKey(withKey(base, "llama.expert_count", gv.u32(4)), "llama.expert_used_count", gv.u32(8)),
      "llama.expert_used_count 8 is larger than llama.expert_count 4",
    ],
    [
      "experts but none used",
      withKey(base, "llama.expert_count", gv.u32(4)),
      "llama.expert_count is 4 but llama.expert_used_count is 0",
    ],
    [
      "nextn layers beyond the blocks",
      withKey(base, "llama.nextn_predict_layers", gv.u32(3)),
      "llama.nextn_predict_layers 3 is out of range (0…2)",
    ],
    [
      "unknown rope scaling",
      withKey(base, "llama.rope.scaling.type", gv.str("bogus")),
      'rope.scaling.type "bogus"',
    ],
    ["no architecture", withoutKey(base, "general.architecture"), "general.architecture is missing"],
    [
      "unknown pooling type",
      withKey(base, "llama.pooling_type", gv.u32(7)),
      "llama.pooling_type 7 is out of range (0…4)",
    ],
  ])("%s", (_, spec, message) => {
    expect(problems(spec).join("\n")).toContain(message);
  });

  test("attention widths must match the head hyper-parameters (BERT reshapes Q into heads mid-graph)", () => {
    expect(problems(withKey(base, "llama.attention.key_length", gv.u32(3)))).toEqual([
      "tensor 'blk.0.attn_q.weight' has 64 outputs, but the head hyper-parameters give 12",
    ]);
    expect(problems(withKey(base, "llama.rope.dimension_count", gv.u32(32)))).toEqual([
      "llama.rope.dimension_count 32 is larger than the head size 16",
    ]);
  });

  test("an explicit key length lifts the divisibility rule", () => {
    const six = tinyLlama({ heads: 6, headsKv: 6 });
    // 6 heads of 16: Q and K are 96 wide while n_embd is 64 (as in Gemma).
    const wide = {
      ...six,
      tensors: six.tensors.map((t) => (/attn_[qk]/.test(t.name) ? { ...t, shape: [64, 96] } : t)),
    };
    expect(problems(wide)[0]).toContain(
      "llama.embedding_length 64 is not divisible by llama.attention.head_count 6",
    );
    expect(problems(withKey(wide, "llama.attention.key_length", gv.u32(16)))).toEqual([]);
  });

  test("adapters and projectors are only checked for tensor placement", () => {
    const adapter = withKey(withoutKey(base, "llama.block_count"), "general.type", gv.str("adapter"));
    expect(problems(adapter)).toEqual([]);
    const clip = withKey(base, "general.architecture", gv.str("clip"));
    expect(problems(clip)).toEqual([]);
  });
});

describe("vocabulary", () => {
  test("duplicate tokens (llama.cpp asserts on them)", () => {
    const spec = tinyLlama({ tokens: ["<unk>", "<s>", "</s>", "a", "b", "a", "c", "d"] });
    expect(problems(spec)).toEqual(['tokenizer.ggml.tokens lists the token "a" twice (again at index 5)']);
  });

  test("empty tokens are named by index, as llama.cpp names them", () => {
    expect(problems(tinyLlama({ tokens: ["<unk>", "", "", "a", "b", "c", "d", "e"] }))).toEqual([]);
    const clash = tinyLlama({ tokens: ["<unk>", "", "[EMPTY_1]", "a", "b", "c", "d", "e"] });
    expect(problems(clash)[0]).toContain('"[EMPTY_1]" twice');
  });

  test("token list, per-token arrays, special ids and the embedding rows must agree", () => {
    const base = tinyLlama();
    expect(problems(withKey(base, "tokenizer.ggml.tokens", gv.array(GgufValueType.INT32, [1])))[0]).toContain(
      "must be an array of strings",
    );
    expect(
      problems(withKey(base, "tokenizer.ggml.scores", gv.array(GgufValueType.FLOAT32, [0]))).join(),
    ).toContain("tokenizer.ggml.scores has 1 entries for 8 tokens");
    expect(problems(withKey(base, "tokenizer.ggml.bos_token_id", gv.u32(8))).join()).toContain(
      "tokenizer.ggml.bos_token_id 8 is outside the vocabulary of 8 tokens",
    );
    const rows = {
      ...base,
      tensors: base.tensors.map((t) => (t.name === "token_embd.weight" ? { ...t, shape: [64, 9] } : t)),
    };
    expect(problems(rows).join()).toContain("token_embd.weight has 9 rows, but the vocabulary has 8 tokens");
  });
});

describe("tokenizer", () => {
  const bytes = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
  const spm = (tokens: string[]) => withKey(tinyLlama({ tokens }), "tokenizer.ggml.model", gv.str("llama"));

  test("a SentencePiece vocabulary needs its byte-fallback tokens (llama.cpp throws on a missing one)", () => {
    expect(problems(spm(["<unk>", "<s>", "</s>", ...bytes]))).toEqual([]);
    expect(problems(spm(["<unk>", "<s>", "</s>", ...bytes.filter((t) => t !== "<0xE4>")]))).toEqual([
      'tokenizer.ggml.tokens lacks the byte token <0xE4> a SentencePiece ("llama") tokenizer falls back to',
    ]);
    // Bytes that never occur in UTF-8 text are not needed.
    expect(problems(spm(["<unk>", "<s>", "</s>", ...bytes.filter((t) => t !== "<0xFF>")]))).toEqual([]);
  });

  test("byte-typed tokens must be <0xXX>, and a WordPiece vocabulary has none", () => {
    const typed = (model: string, text: string) =>
      withKey(
        withKey(
          tinyLlama({ tokens: ["<unk>", "<s>", "</s>", text, "b", "c", "d", "e"] }),
          "tokenizer.ggml.model",
          gv.str(model),
        ),
        "tokenizer.ggml.token_type",
        gv.array(GgufValueType.INT32, [2, 3, 3, 6, 1, 1, 1, 1]),
      );
    expect(problems(typed("gpt2", "<0x41>"))).toEqual([]);
    expect(problems(typed("gpt2", "A"))).toEqual([
      "token 3 is typed as a byte token but is not of the form <0xXX>",
    ]);
    expect(problems(typed("bert", "<0x41>"))[0]).toContain(
      'which a WordPiece ("bert") tokenizer cannot have',
    );
  });

  test("a model without a tokenizer cannot take text", () => {
    expect(problems(withKey(tinyLlama(), "tokenizer.ggml.model", gv.str("none")))).toEqual([
      'tokenizer.ggml.model is "none": the model has no tokenizer, so it cannot take text',
    ]);
  });
});
