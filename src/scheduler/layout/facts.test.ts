import { describe, expect, test } from "bun:test";
import { type GgufLike, modelFactsFromGguf } from "./facts.ts";
import { fileTypeName } from "./file-type.ts";

function tensor(name: string, shape: number[], byteSize: number) {
  return { name, shape, type: 1, offset: 0, byteSize };
}

const base: GgufLike = {
  metadata: {
    "general.architecture": "llama",
    "general.file_type": 15,
    "llama.block_count": 2n,
    "llama.embedding_length": 64,
    "llama.attention.head_count": 4,
    "llama.attention.head_count_kv": 2,
    "llama.context_length": 8192,
    "tokenizer.ggml.tokens": ["a", "b", "c"],
  },
  tensors: [
    tensor("token_embd.weight", [64, 3], 384),
    tensor("blk.0.attn_q.weight", [64, 64], 8192),
    tensor("blk.0.ffn_up.weight", [64, 128], 16384),
    tensor("blk.1.attn_q.weight", [64, 64], 8192),
    tensor("output_norm.weight", [64], 256),
  ],
};

describe("modelFactsFromGguf", () => {
  test("reads hyper-parameters, bigint values and per-block bytes", () => {
    const f = modelFactsFromGguf(base);
    expect(f.architecture).toBe("llama");
    expect(f.nLayer).toBe(2);
    expect(f.nEmbd).toBe(64);
    expect(f.nHead).toBe(4);
    expect(f.nHeadKv).toBe(2);
    expect(f.nHeadKvPerLayer).toEqual([2, 2]);
    expect(f.headDimK).toBe(16);
    expect(f.headDimV).toBe(16);
    expect(f.nCtxTrain).toBe(8192);
    expect(f.nVocab).toBe(3);
    expect(f.layerBytes).toEqual([8192 + 16384, 8192]);
    expect(f.tokenEmbdBytes).toBe(384);
    expect(f.parameterCount).toBe(192 + 4096 + 8192 + 4096 + 64);
    expect(fileTypeName(f.fileType)).toBe("Q4_K_M");
  });

  test("a missing output.weight means the head is a copy of token_embd", () => {
    expect(modelFactsFromGguf(base).outputBytes).toBe(256 + 384);
    const withOutput = { ...base, tensors: [...base.tensors, tensor("output.weight", [64, 3], 400)] };
    expect(modelFactsFromGguf(withOutput).outputBytes).toBe(256 + 400);
  });

  test("embedding models build no head; explicit head dims and per-layer KV heads are honoured", () => {
    const f = modelFactsFromGguf({
      metadata: {
        "general.architecture": "bert",
        "bert.block_count": 2,
        "bert.embedding_length": 64,
        "bert.attention.head_count": [4, 4],
        "bert.attention.head_count_kv": [4, 0],
        "bert.attention.key_length": 32,
        "bert.attention.value_length": 24,
        "bert.pooling_type": 1,
      },
      tensors: [tensor("token_embd.weight", [64, 10], 640), tensor("token_types.weight", [64, 2], 128)],
    });
    expect(f.embeddingOnly).toBe(true);
    expect(f.outputBytes).toBe(0);
    expect(f.tokenEmbdBytes).toBe(768);
    expect(f.nVocab).toBe(10);
    expect(f.nHeadKvPerLayer).toEqual([4, 0]);
    expect([f.headDimK, f.headDimV]).toEqual([32, 24]);
    expect(f.nCtxTrain).toBe(0);
  });
});
