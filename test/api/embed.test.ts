import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { models, startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  await s.createFrom("embedder", await models.embed());
});
afterAll(() => s.stop());

const norm = (v: number[]) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));

describe("/api/embed and /api/embeddings", () => {
  test("embed returns one unit vector per input, with metrics", async () => {
    const r = await s.client.embed({ model: "embedder", input: ["hello world", "a different sentence"] });
    expect(r.embeddings.length).toBe(2);
    for (const v of r.embeddings) {
      expect(v.length).toBe(384);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    expect(r.embeddings[0]).not.toEqual(r.embeddings[1]);
    expect(r.prompt_eval_count).toBeGreaterThan(4);
    expect(Number.isInteger(r.total_duration)).toBe(true);
    const single = await s.client.embed({ model: "embedder", input: "hello world" });
    expect(single.embeddings[0]?.[0]).toBeCloseTo(r.embeddings[0]?.[0] ?? Number.NaN, 5);
  });

  test("dimensions cuts and re-normalises", async () => {
    const r = await s.client.embed({ model: "embedder", input: "hello", dimensions: 16 } as never);
    expect(r.embeddings[0]?.length).toBe(16);
    expect(norm(r.embeddings[0] ?? [])).toBeCloseTo(1, 5);
  });

  test("the legacy endpoint returns the raw (unnormalised) vector", async () => {
    const r = await s.client.embeddings({ model: "embedder", prompt: "hello world" });
    const unit = (await s.client.embed({ model: "embedder", input: "hello world" })).embeddings[0] ?? [];
    expect(r.embedding.length).toBe(384);
    const n = norm(r.embedding);
    expect(r.embedding[5] ?? 0).toBeCloseTo((unit[5] ?? 0) * n, 4);
  });

  test("empty input loads the model and returns no vectors; bad input types are 400", async () => {
    expect(await (await s.request("/api/embed", { model: "embedder" })).json()).toEqual({
      model: "embedder",
      embeddings: [],
    });
    expect(await (await s.request("/api/embeddings", { model: "embedder" })).json()).toEqual({
      embedding: [],
    });
    const bad = await s.request("/api/embed", { model: "embedder", input: [1, 2] });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe("invalid input type");
  });

  test("truncate:false with an input longer than the context is a 400", async () => {
    const long = "word ".repeat(2000);
    const r = await s.request("/api/embed", { model: "embedder", input: long, truncate: false });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe("the input length exceeds the context length");
    const cut = await s.client.embed({ model: "embedder", input: long });
    expect(cut.embeddings[0]?.length).toBe(384);
  });

  test("generate on an embedding model is refused", async () => {
    const r = await s.request("/api/generate", { model: "embedder", prompt: "hi" });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe('"embedder" does not support generate');
  });
});
