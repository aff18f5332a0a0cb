/**
 * Speculative decoding through serve: a model created with a draft (Ollama's draft_files, the Modelfile's
 * DRAFT) drafts with it by default; `draft: "ngram"` and Ollama's `draft_num_predict` steer it per request;
 * the counts come back in /api responses (draft_count, draft_accepted_count) and in /metrics; a draft with
 * another vocabulary is refused at create.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { synthModel } from "../fixtures/models.ts";
import { fileDigest, GREEDY, startTestServer, type TestServer } from "../api/helpers.ts";
import { promtool, sample, scrape, waitFor } from "../ops/metrics-helpers.ts";

let s: TestServer;
let target: string;

async function upload(path: string): Promise<string> {
  const digest = fileDigest(path);
  const r = await fetch(`${s.url}/api/blobs/${digest}`, {
    method: "POST",
    body: await Bun.file(path).bytes(),
  });
  expect([200, 201]).toContain(r.status);
  return digest;
}

beforeAll(async () => {
  s = await startTestServer();
  target = await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" });
  const draft = await upload(await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" }));
  await s.createFrom("spec", target, { draft_files: { "draft.gguf": draft } });
});
afterAll(() => s?.stop());

const generate = async (options: Record<string, unknown>) =>
  (
    await s.request("/api/generate", {
      model: "spec",
      prompt: "Repeat: one two three four. one two three four. one two",
      raw: true,
      stream: false,
      options: { ...GREEDY, num_predict: 24, ...options },
    })
  ).json();

describe("speculative decoding through serve", () => {
  test("draft model by default, n-gram or off per request: same tokens, counts in the response", async () => {
    const plain = await generate({ draft: "off" });
    const model = await generate({});
    const ngram = await generate({ draft: "ngram", draft_num_predict: 4 });
    expect(plain.draft_count).toBeUndefined();
    expect(model.response).toBe(plain.response);
    expect(ngram.response).toBe(plain.response);
    expect(model.draft_count).toBeGreaterThan(0);
    expect(model.draft_accepted_count).toBeGreaterThan(0);
    expect(model.draft_accepted_count).toBeLessThanOrEqual(model.draft_count);
    expect(ngram.draft_count).toBeGreaterThanOrEqual(ngram.draft_accepted_count);
    const bad = await s.request("/api/generate", { model: "spec", prompt: "x", options: { draft: "eagle" } });
    expect(bad.status).toBe(400);
  });

  test("/metrics counts proposed and accepted draft tokens by model; promtool is clean", async () => {
    const r = await generate({ draft: "model" });
    const m = `{model="spec:latest"}`;
    const text = await waitFor(
      () => scrape(s.url),
      (t) => (sample(t, `tsllm_draft_tokens_total${m}`) ?? 0) >= r.draft_count,
    );
    expect(sample(text, `tsllm_draft_accepted_tokens_total${m}`)).toBeGreaterThan(0);
    // llama-server's own llamacpp:* names carry a ':' that promtool flags; ours must be clean.
    const check = promtool(text);
    if (check)
      expect(
        check.problems.filter((p) => !/^llamacpp:\S+ metric names should not contain ':'$/.test(p)),
      ).toEqual([]);
  });

  test("the draft_model option names a stored model to draft with; another vocabulary is a 400", async () => {
    await s.createFrom("plain", target);
    await s.createFrom("draft-q8", await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" }));
    await s.createFrom("bpe", await synthModel({ preset: "tiny", quant: "q4_0", vocab: "llama-bpe" }));
    const ask = (draft_model: string) =>
      s.request("/api/generate", {
        model: "plain",
        prompt: "Count: one two three",
        stream: false,
        options: { ...GREEDY, num_predict: 8, draft_model },
      });
    const ok = await ask("draft-q8");
    expect(ok.status).toBe(200);
    expect((await ok.json()).draft_count).toBeGreaterThan(0);
    const bad = await ask("bpe");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/draft model's vocabulary differs/);
  });

  test("a draft with another vocabulary is refused at create", async () => {
    const other = await upload(await synthModel({ preset: "tiny", quant: "q4_0", vocab: "llama-bpe" }));
    const weights = fileDigest(target);
    const r = await s.request("/api/create", {
      model: "bad-spec",
      files: { "model.gguf": weights },
      draft_files: { "draft.gguf": other },
      stream: false,
    });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toMatch(/draft model's vocabulary differs/);
  });
});
