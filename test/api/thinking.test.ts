/**
 * `think` end to end: a Go template that opens a <think> block in the prompt when .Think is set (so all of
 * a random model's output is thinking), the same weights without it (the reference output), and Qwen3's
 * real Jinja template (enable_thinking).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { toolModels } from "../fixtures/models.ts";
import { GREEDY, type Json, recipes, startServerWith, type TestServer } from "./helpers.ts";

let s: TestServer;

const PROMPT = "<|user|>\nWhy is the sky blue?\n<|assistant|>\n";
const messages = [{ role: "user", content: "Why is the sky blue?" }];
const options = { ...GREEDY, num_predict: 8 };

beforeAll(async () => {
  // The same weights with and without THINKING_TEMPLATE.
  s = await startServerWith({ plain: recipes.tiny, thinker: recipes.thinker });
});
afterAll(() => s.stop());

/** What the weights generate for a raw prompt (the model without a thinking template). */
async function raw(prompt: string): Promise<string> {
  const r = await (
    await s.request("/api/generate", { model: "plain", prompt, raw: true, stream: false, options })
  ).json();
  return r.response;
}

/** NDJSON chunks of a streamed request. */
async function chunks(path: string, body: Json): Promise<Json[]> {
  const r = await s.request(path, { ...body, stream: true });
  expect(r.status).toBe(200);
  return (await r.text())
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

describe("a template that thinks", () => {
  test("has the thinking capability", async () => {
    expect((await s.client.show({ model: "thinker" })).capabilities).toContain("thinking");
    expect((await s.client.show({ model: "plain" })).capabilities).not.toContain("thinking");
  });

  test("chat, streamed: everything after the prefilled <think> is message.thinking", async () => {
    const reference = await raw(`${PROMPT}<think>\n`);
    expect(reference.trim()).not.toBe("");
    expect(reference).not.toContain("</think>");
    const got = await chunks("/api/chat", { model: "thinker", messages, think: true, options });
    for (const c of got) expect(c.message.content).toBe("");
    expect(got.map((c) => c.message.thinking ?? "").join("")).toBe(reference.trimStart());
    expect(got.at(-1)?.done).toBe(true);
  });

  test("chat, whole: the same thinking in one message; unset means on for a thinking model", async () => {
    const streamed = (await chunks("/api/chat", { model: "thinker", messages, think: true, options }))
      .map((c) => c.message.thinking ?? "")
      .join("");
    for (const think of [true, "high", undefined]) {
      const r = await s.client.chat({
        model: "thinker",
        messages,
        think: think as never,
        options,
        stream: false,
      });
      expect(r.message).toEqual({ role: "assistant", content: "", thinking: streamed });
    }
  });

  test("chat with think false: the template does not open the block, all output is content", async () => {
    const reference = await raw(PROMPT);
    expect(reference.trim()).not.toBe("");
    const r = await s.client.chat({ model: "thinker", messages, think: false, options, stream: false });
    expect(r.message).toEqual({ role: "assistant", content: reference });
    const got = await chunks("/api/chat", { model: "thinker", messages, think: false, options });
    expect(got.every((c) => c.message.thinking === undefined)).toBe(true);
    expect(got.map((c) => c.message.content).join("")).toBe(reference);
  });

  test("format constrains the output from its first token: all of it is content", async () => {
    const r = await s.client.chat({
      model: "thinker",
      messages,
      think: true,
      format: "json",
      options,
      stream: false,
    });
    expect(r.message.thinking).toBeUndefined();
    expect(r.message.content).toStartWith("{");
  });

  test("generate, streamed and whole: `thinking` beside an empty `response`", async () => {
    const reference = (await raw(`${PROMPT}<think>\n`)).trimStart();
    const got = await chunks("/api/generate", {
      model: "thinker",
      prompt: messages[0]?.content,
      think: true,
      options,
    });
    for (const c of got) expect(c.response).toBe("");
    expect(got.map((c) => c.thinking ?? "").join("")).toBe(reference);
    const whole = await s.client.generate({
      model: "thinker",
      prompt: messages[0]?.content ?? "",
      think: true,
      options,
      stream: false,
    });
    expect(whole.response).toBe("");
    expect(whole.thinking).toBe(reference);
    expect(whole.context?.length).toBeGreaterThan(0);
  });

  test("generate with think false: no thinking", async () => {
    const r = await (
      await s.request("/api/generate", {
        model: "thinker",
        prompt: messages[0]?.content,
        think: false,
        options,
        stream: false,
      })
    ).json();
    expect(r.response).toBe(await raw(PROMPT));
    expect(r.thinking).toBeUndefined();
  });

  test("thinking on an earlier assistant message reaches the template", async () => {
    const history = (thinking?: string) => [
      ...messages,
      { role: "assistant", content: "Scattering.", ...(thinking ? { thinking } : {}) },
      { role: "user", content: "More?" },
    ];
    const opts = { ...GREEDY, num_predict: 1 };
    const without = await s.client.chat({ model: "thinker", messages: history(), options: opts });
    const withThinking = await s.client.chat({
      model: "thinker",
      messages: history("Rayleigh scattering favours short wavelengths."),
      options: opts,
    });
    expect(withThinking.prompt_eval_count).toBeGreaterThan(without.prompt_eval_count + 5);
  });
});

describe("a template that does not think", () => {
  test("think true or a level is a 400, on chat and generate", async () => {
    for (const think of [true, "low", "max"]) {
      for (const [path, body] of [
        ["/api/chat", { messages }],
        ["/api/generate", { prompt: "hi" }],
      ] as const) {
        const r = await s.request(path, { model: "plain", ...body, think });
        expect(r.status).toBe(400);
        expect((await r.json()).error).toBe('"plain" does not support thinking');
      }
    }
  });

  test("think false is accepted and changes nothing", async () => {
    const off = await s.client.chat({ model: "plain", messages, think: false, options, stream: false });
    const unset = await s.client.chat({ model: "plain", messages, options, stream: false });
    expect(off.message).toEqual(unset.message);
    expect(off.message.thinking).toBeUndefined();
  });

  test("a think value that is neither a boolean nor a level is a 400", async () => {
    const r = await s.request("/api/chat", { model: "thinker", messages, think: "extreme" });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toBe(
      'invalid think value: "extreme" (must be "high", "medium", "low", "max", true, or false)',
    );
  });

  test("a malformed think is a 400 before the model is looked up, as Ollama's decoder fails first", async () => {
    for (const path of ["/api/chat", "/api/generate"]) {
      const r = await s.request(path, { model: "no-such-model", messages, prompt: "hi", think: "extreme" });
      expect(r.status).toBe(400);
      expect((await r.json()).error).toStartWith("invalid think value");
    }
  });
});

describe("Qwen3's chat template", () => {
  beforeAll(async () => {
    await s.createFrom("qwen3", await toolModels.qwen3());
  });

  test("enable_thinking reaches the template: think false closes an empty block in the prompt", async () => {
    expect((await s.client.show({ model: "qwen3" })).capabilities).toContain("thinking");
    const count = async (think?: boolean | "high") => {
      const r = await s.client.chat({
        model: "qwen3",
        messages,
        ...(think === undefined ? {} : { think }),
        options: { ...GREEDY, num_predict: 2 },
        stream: false,
      });
      expect(r.message.content.includes("</think>")).toBe(false);
      return r.prompt_eval_count;
    };
    const on = await count(true);
    expect(await count(undefined)).toBe(on);
    expect(await count("high")).toBe(on);
    // "<think>\n\n</think>\n\n": four more tokens.
    expect(await count(false)).toBe(on + 4);
  });
});
