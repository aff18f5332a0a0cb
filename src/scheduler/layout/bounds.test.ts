import { describe, expect, test } from "bun:test";
import { InvalidModelFileError } from "../../gguf/errors.ts";
import { type GgufLike, modelFactsFromGguf } from "./facts.ts";
import { planLayout } from "./plan.ts";
import { syntheticFacts } from "./synthetic.ts";

const GiB = 1024 ** 3;

function gguf(blockCount: number | bigint | string, extra: GgufLike["metadata"] = {}): GgufLike {
  return {
    metadata: {
      "general.architecture": "llama",
      "llama.block_count": blockCount,
      "llama.embedding_length": 64,
      "llama.attention.head_count": 4,
      ...extra,
    },
    tensors: [],
  };
}

function refusal(f: () => unknown): InvalidModelFileError {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidModelFileError) return e;
    throw e;
  }
  throw new Error("not refused");
}

describe("planner bounds", () => {
  test.each([
    [2 ** 31, "llama.block_count 2147483648 is larger than llama.cpp's limit of 512 layers"],
    [2 ** 26, "llama.block_count 67108864 is larger"],
    [2n ** 63n, "is larger than llama.cpp's limit"],
    [0, "llama.block_count is 0"],
    [-1, "llama.block_count -1 is negative"],
    ["12", "llama.block_count must be an integer"],
  ])("modelFactsFromGguf refuses block_count %p before sizing anything by it", (n, message) => {
    const e = refusal(() => modelFactsFromGguf(gguf(n)));
    expect(e.status).toBe(400);
    expect(e.message).toContain(message);
  });

  test("planLayout refuses facts with more layers than llama.cpp allows, whoever built them", () => {
    // Arrays left empty: the refusal must come from the layer count, not from walking the arrays.
    const facts = { ...syntheticFacts({ nLayer: 1 }), nLayer: 2 ** 31, layerBytes: [], nHeadKvPerLayer: [] };
    const e = refusal(() =>
      planLayout({
        facts,
        numCtx: 2048,
        numBatch: 512,
        kvType: "f16",
        numParallel: 1,
        gpus: [{ id: "0", name: "GPU0", free: 8 * GiB, total: 8 * GiB }],
        systemFree: 16 * GiB,
        requestedLayers: -1,
        requireFull: false,
      }),
    );
    expect(e.message).toContain("2147483648 layers, more than llama.cpp's limit of 512");
  });

  test("a very long per-layer head list does not overflow the stack", () => {
    const heads = new Array<number>(1 << 20).fill(8);
    const facts = modelFactsFromGguf(gguf(2, { "llama.attention.head_count_kv": heads }));
    expect(facts.nHeadKv).toBe(8);
    expect(facts.nHeadKvPerLayer).toEqual([8, 8]);
  });

  test("512 blocks, llama.cpp's limit, still plan", () => {
    const facts = modelFactsFromGguf(gguf(512));
    expect(facts.nLayer).toBe(512);
    expect(facts.layerBytes).toHaveLength(512);
  });
});
