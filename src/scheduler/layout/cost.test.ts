import { describe, expect, test } from "bun:test";
import { graphSize, kvBytesPerElement, kvCacheBytes, layerCosts } from "./cost.ts";
import { syntheticFacts } from "./synthetic.ts";

describe("cost model", () => {
  test("bytes per KV element", () => {
    expect(kvBytesPerElement("f32")).toBe(4);
    expect(kvBytesPerElement("f16")).toBe(2);
    expect(kvBytesPerElement("q8_0")).toBe(34 / 32);
    expect(kvBytesPerElement("q4_0")).toBe(18 / 32);
  });

  test("KV per layer = n_ctx × (k + v head dims) × kv heads × element size", () => {
    const f = syntheticFacts({ nLayer: 2, nHeadKv: 8, headDimK: 128, headDimV: 128 });
    expect(kvCacheBytes(f, 4096, "f16")).toEqual([4096 * 256 * 8 * 2, 4096 * 256 * 8 * 2]);
    expect(kvCacheBytes(f, 4096, "q8_0")[0]).toBe(4096 * 256 * 8 * (34 / 32));
    expect(kvCacheBytes(f, 4096, "q4_0")[0]).toBe(4096 * 256 * 8 * (18 / 32));
  });

  test("layer costs end with the output head, which has no cache", () => {
    const f = syntheticFacts({ nLayer: 3, blockBytes: 1000, outputBytes: 500 });
    const c = layerCosts(f, 16, "f32");
    expect(c.weights).toEqual([1000, 1000, 1000, 500]);
    expect(c.kv).toEqual([16 * 128 * 4, 16 * 128 * 4, 16 * 128 * 4, 0]);
    expect(c.total[3]).toBe(500);
  });

  test("compute estimate grows with context and batch", () => {
    const f = syntheticFacts();
    const small = graphSize(f, 2048, 512, 1);
    const big = graphSize(f, 32768, 512, 1);
    const wide = graphSize(f, 2048, 2048, 1);
    expect(small.full).toBe(Math.max(4 * 512 * (1 + 4 * 256 + 2048 * 5), 4 * 512 * (256 + 1000)));
    expect(big.full).toBeGreaterThan(small.full);
    expect(big.partial).toBeGreaterThan(small.partial);
    expect(wide.full).toBe(small.full * 4);
    expect(graphSize(f, 2048, 512, 4).logits).toBe(4 * 1000 * 4);
  });
});
