import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GREEDY, startServerWith, type TestServer } from "./helpers.ts";

let s: TestServer;
const N_VOCAB = 32000; // the tiny model's llama-spm vocabulary

beforeAll(async () => {
  s = await startServerWith(["tiny", "embed"]);
});
afterAll(() => s.stop());

const outOfRange = (id: number | string) =>
  `token id ${id} is out of range (vocabulary has ${N_VOCAB} tokens)`;

describe("token ids from clients", () => {
  test("generate `context` with an id past the vocabulary or negative is a 400", async () => {
    for (const id of [N_VOCAB, 999999, -1]) {
      const r = await s.request("/api/generate", {
        model: "tiny",
        prompt: "hi",
        context: [1, id],
        stream: false,
      });
      expect(r.status).toBe(400);
      expect((await r.json()).error).toBe(outOfRange(id));
    }
  });

  test("detokenize with an id out of range is a 400; the last id of the vocabulary is fine", async () => {
    const bad = await s.request("/api/detokenize", { model: "tiny", tokens: [1, 2, 999999] });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe(outOfRange(999999));
    const good = await s.request("/api/detokenize", { model: "tiny", tokens: [N_VOCAB - 1] });
    expect(good.status).toBe(200);
    expect(typeof (await good.json()).text).toBe("string");
  });

  test("OpenAI logit_bias and token-id embedding inputs out of range are 400s", async () => {
    const chat = await s.request("/v1/chat/completions", {
      model: "tiny",
      messages: [{ role: "user", content: "hi" }],
      logit_bias: { "999999": 5 },
    });
    expect(chat.status).toBe(400);
    expect((await chat.json()).error.message).toBe(outOfRange('"999999"'));
    const emb = await s.request("/v1/embeddings", { model: "embed", input: [[101, 999999]] });
    expect(emb.status).toBe(400);
    expect((await emb.json()).error.message).toContain("token id 999999 is out of range");
  });

  test("another client's stream on the same model runs to its end through all of it", async () => {
    const stream = await s.client.generate({
      model: "tiny",
      prompt: "Once upon a time",
      stream: true,
      options: { ...GREEDY, num_predict: 48 },
    });
    let chunks = 0;
    let last: { done: boolean; done_reason?: string; eval_count?: number } | undefined;
    for await (const c of stream) {
      if (chunks++ === 2) {
        const [a, b] = await Promise.all([
          s.request("/api/generate", { model: "tiny", prompt: "x", context: [999999], stream: false }),
          s.request("/api/detokenize", { model: "tiny", tokens: [-7, 999999] }),
        ]);
        expect([a.status, b.status]).toEqual([400, 400]);
      }
      last = c;
    }
    expect(last?.done).toBe(true);
    expect(last?.done_reason).toBe("length");
    expect(last?.eval_count).toBe(48);
    const after = await s.client.generate({
      model: "tiny",
      prompt: "hi",
      options: { ...GREEDY, num_predict: 2 },
    });
    expect(after.eval_count).toBe(2);
  });
});
