import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rerankModel } from "../fixtures/models.ts";
import { type Json, models, startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  await s.createFrom("reranker", await rerankModel());
  await s.createFrom("embedder", await models.embed());
  await s.createFrom("chat", await models.chat());
});
afterAll(() => s.stop());

const QUERY = "what is the capital of france?";
const DOCS = [
  "paris is the capital and largest city of france",
  "the cat sat on the mat",
  "bananas are rich in potassium",
  "berlin is the capital of germany",
  "a b c d e f g h",
  "the eiffel tower is in paris",
];

async function rerank(path: string, body: Json): Promise<Json> {
  const r = await s.request(path, { model: "reranker", query: QUERY, ...body });
  const json = await r.json();
  if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(json)}`);
  return json;
}

/** Scores by document index. */
const byIndex = (r: Json): number[] => {
  const out: number[] = [];
  for (const x of r.results) out[x.index] = x.relevance_score;
  return out;
};

describe("rerank", () => {
  test("a reranker has the rerank capability only, in show and tags", async () => {
    const show = await (await s.request("/api/show", { model: "reranker" })).json();
    expect(show.capabilities).toEqual(["rerank"]);
    const tags = await (await s.request("/api/tags", undefined, "GET")).json();
    const entry = tags.models.find((m: Json) => m.name === "reranker:latest");
    expect(entry.capabilities).toEqual(["rerank"]);
    const embedder = await (await s.request("/api/show", { model: "embedder" })).json();
    expect(embedder.capabilities).toEqual(["embedding"]);
  });

  test("every document is scored once, sorted by score; usage counts the tokens", async () => {
    const r = await rerank("/api/rerank", { documents: DOCS });
    expect(r.model).toBe("reranker");
    expect(r.object).toBe("list");
    expect(r.results.map((x: Json) => x.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const scores = r.results.map((x: Json) => x.relevance_score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(new Set(scores).size).toBe(DOCS.length);
    for (const x of r.results) expect(Object.keys(x).sort()).toEqual(["index", "relevance_score"]);
    expect(r.usage.prompt_tokens).toBeGreaterThan(DOCS.length * 8);
    expect(r.usage.total_tokens).toBe(r.usage.prompt_tokens);
    expect(Number.isInteger(r.total_duration)).toBe(true);
  });

  test("scores are deterministic and equal in one batch and one document at a time", async () => {
    const first = byIndex(await rerank("/api/rerank", { documents: DOCS }));
    const again = byIndex(await rerank("/api/rerank", { documents: DOCS }));
    expect(again).toEqual(first);
    const alone: number[] = [];
    for (const doc of DOCS) {
      const r = await rerank("/api/rerank", { documents: [doc] });
      expect(r.results.length).toBe(1);
      expect(r.results[0].index).toBe(0);
      alone.push(r.results[0].relevance_score);
    }
    // Equal up to float rounding: the CPU kernels sum in another order for a batch of another size (scores
    // here are ~0.07 apart by 1e-3 or more; one document alone differs from its batched score by < 1e-4).
    for (const [i, v] of alone.entries()) expect(Math.abs(v - (first[i] as number))).toBeLessThan(2e-4);
    const order = (xs: number[]) => xs.map((_, i) => i).sort((a, b) => (xs[b] as number) - (xs[a] as number));
    expect(order(alone)).toEqual(order(first));
  });

  test("top_n keeps the best n; return_documents echoes each document", async () => {
    const all = await rerank("/api/rerank", { documents: DOCS });
    const top = await rerank("/api/rerank", { documents: DOCS, top_n: 2 });
    expect(top.results).toEqual(all.results.slice(0, 2));
    const many = await rerank("/api/rerank", { documents: DOCS, top_n: 100 });
    expect(many.results.length).toBe(DOCS.length);
    const objects = DOCS.map((text) => ({ text }));
    const echoed = await rerank("/api/rerank", { documents: objects, return_documents: true, top_n: 3 });
    for (const x of echoed.results) expect(x.document).toEqual({ text: DOCS[x.index] });
    expect(byIndex(echoed).filter((v) => v !== undefined).length).toBe(3);
    const strings = await rerank("/api/rerank", { documents: DOCS, return_documents: true });
    for (const x of strings.results) expect(x.document).toEqual({ text: DOCS[x.index] });
  });

  test("/v1/rerank answers llama-server's fields with the same scores", async () => {
    const v1 = await rerank("/v1/rerank", { documents: DOCS, top_n: 3 });
    expect(Object.keys(v1).sort()).toEqual(["model", "object", "results", "usage"]);
    const api = await rerank("/api/rerank", { documents: DOCS, top_n: 3 });
    expect(v1.results).toEqual(api.results);
    expect(v1.usage).toEqual(api.usage);
  });

  test("chat and embedding models are refused", async () => {
    for (const [model, path] of [
      ["chat", "/api/rerank"],
      ["embedder", "/api/rerank"],
      ["embedder", "/v1/rerank"],
    ] as const) {
      const r = await s.request(path, { model, query: QUERY, documents: DOCS });
      expect(r.status).toBe(400);
      const body = await r.json();
      const message = path === "/v1/rerank" ? body.error.message : body.error;
      expect(message).toBe(`"${model}" does not support reranking`);
    }
  });

  test("a reranker refuses to embed", async () => {
    const r = await s.request("/api/embed", { model: "reranker", input: "hello" });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toContain("reranker");
  });

  test("missing or empty documents, a missing query and a bad top_n are 400s", async () => {
    const cases: Json[] = [
      { model: "reranker", query: QUERY },
      { model: "reranker", query: QUERY, documents: [] },
      { model: "reranker", documents: DOCS },
      { model: "reranker", query: QUERY, documents: DOCS, top_n: 0 },
      { model: "reranker", query: QUERY, documents: [1, 2] },
      { model: "reranker", query: QUERY, documents: [{ title: "no text" }] },
    ];
    for (const body of cases) {
      const r = await s.request("/api/rerank", body);
      expect(r.status).toBe(400);
      expect(typeof (await r.json()).error).toBe("string");
    }
    const empty = await s.request("/api/rerank", { model: "reranker", query: QUERY, documents: [] });
    expect((await empty.json()).error).toBe('"documents" must be a non-empty array');
  });

  test("more documents than TSLLM_MAX_RERANK_DOCUMENTS (a 10,000-document list) is a 400", async () => {
    for (const n of [1001, 10_000]) {
      const documents = Array.from({ length: n }, (_, i) => `document number ${i}`);
      const r = await s.request("/api/rerank", { model: "reranker", query: QUERY, documents });
      expect(r.status).toBe(400);
      expect((await r.json()).error).toBe(
        `too many documents: ${n}, the limit is 1000 (TSLLM_MAX_RERANK_DOCUMENTS)`,
      );
    }
  });

  test("a list at the limit (1000 documents) is served", async () => {
    const documents = Array.from({ length: 1000 }, (_, i) => `document number ${i} about rivers`);
    const r = await rerank("/v1/rerank", { documents, top_n: 3 });
    expect(r.results.length).toBe(3);
    expect(r.usage.prompt_tokens).toBeGreaterThan(10_000);
  }, 300_000); // ~40 s on a loaded 2-core machine

  test("a document longer than the context is refused, not truncated", async () => {
    const documents = ["short one", "word ".repeat(2000)];
    const r = await s.request("/api/rerank", { model: "reranker", query: QUERY, documents });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toMatch(/^document 1 with the query is \d+ tokens, more than the context/);
    // The runner is still serving.
    expect((await rerank("/api/rerank", { documents: ["short one"] })).results.length).toBe(1);
  });
});
