/**
 * Inputs Ollama refuses instead of silently changing: `truncate: false` with a prompt longer than the context,
 * images that are not base64, and images sent to a model without vision.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GREEDY, type JsonResponse, models, startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ TSLLM_NUM_PARALLEL: "1" });
  await s.createFrom("tiny", await models.chat());
});
afterAll(() => s.stop());

// One num_ctx for every request, so the runner is loaded once.
const options = { ...GREEDY, num_predict: 1, num_ctx: 128 };
const long = "word ".repeat(300);
const TOO_LONG = [400, "the input length exceeds the context length"];

async function errorOf(r: JsonResponse): Promise<[number, string]> {
  return [r.status, (await r.json()).error];
}

describe("truncate", () => {
  test("generate: truncate false refuses a prompt longer than num_ctx; by default it is cut", async () => {
    for (const stream of [false, true]) {
      const r = await s.request("/api/generate", {
        model: "tiny",
        prompt: long,
        options,
        truncate: false,
        stream,
      });
      expect(await errorOf(r)).toEqual(TOO_LONG as [number, string]);
    }
    const cut = await s.client.generate({ model: "tiny", prompt: long, raw: true, options });
    expect(cut.done).toBe(true);
    const full = await (await s.request("/api/tokenize", { model: "tiny", text: long, options })).json();
    expect(cut.prompt_eval_count).toBeLessThan(full.tokens.length);
    const fits = await s.request("/api/generate", {
      model: "tiny",
      prompt: "short",
      options,
      truncate: false,
      stream: false,
    });
    expect((await fits.json()).done).toBe(true);
  });

  test("chat: truncate false keeps the whole history and refuses it when too long", async () => {
    const history = Array.from({ length: 12 }, (_, i) => ({
      role: i % 2 === 0 ? "user" : "assistant",
      content: `turn ${i} ${"word ".repeat(20)}`,
    }));
    const messages = [...history, { role: "user", content: "last" }];
    const refused = await s.request("/api/chat", { model: "tiny", messages, options, truncate: false });
    expect(await errorOf(refused)).toEqual(TOO_LONG as [number, string]);
    const fitted = await s.client.chat({ model: "tiny", messages, options });
    expect(fitted.prompt_eval_count).toBeLessThanOrEqual(128);
    const short = await s.request("/api/chat", {
      model: "tiny",
      messages: [{ role: "user", content: "hi" }],
      options,
      truncate: false,
      stream: false,
    });
    expect((await short.json()).done).toBe(true);
  });
});

describe("images", () => {
  test("an image that is not base64 is Ollama's JSON decoding error, before the model is looked up", async () => {
    const cases: [string, unknown][] = [
      ["/api/generate", { model: "tiny", prompt: "x", images: ["aGk=", "not base64!"] }],
      ["/api/generate", { model: "nope", prompt: "x", images: ["not base64!"] }],
      ["/api/chat", { model: "tiny", messages: [{ role: "user", content: "x", images: ["not base64!"] }] }],
    ];
    for (const [path, body] of cases)
      expect([path, ...(await errorOf(await s.request(path, body)))]).toEqual([
        path,
        400,
        "illegal base64 data at input byte 3",
      ]);
  });

  test("images for a model without vision are refused, not dropped", async () => {
    const vision = [400, "registry.ollama.ai/library/tiny:latest does not support vision"];
    const gen = await s.request("/api/generate", { model: "tiny", prompt: "what is it?", images: ["aGk="] });
    expect(await errorOf(gen)).toEqual(vision as [number, string]);
    const chat = await s.request("/api/chat", {
      model: "tiny",
      messages: [{ role: "user", content: "what is it?", images: ["iVBORw0KGgo="] }],
    });
    expect(await errorOf(chat)).toEqual(vision as [number, string]);
    // Empty lists are no images.
    const none = await s.client.generate({ model: "tiny", prompt: "x", images: [], options });
    expect(none.done).toBe(true);
  });
});
