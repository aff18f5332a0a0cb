import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { availableParallelism } from "node:os";
import { GREEDY, type Json, startServerWith, type TestServer } from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  s = await startServerWith(["tiny", "embed"]);
});
afterAll(() => s.stop());

const cores = availableParallelism();

/** Options each refused with a 400 naming the option; raw JSON text where JSON.stringify cannot say it. */
const BAD: [name: string, value: string][] = [
  ["num_thread", "100000"],
  ["num_thread", "-1"],
  ["num_batch", "0"],
  ["num_batch", "-1"],
  ["num_ctx", "0"],
  ["num_ctx", String(2 ** 31)],
  ["num_predict", "-3"],
  ["num_keep", "-5"],
  ["num_gpu", "-2"],
  ["top_k", "-1"],
  ["top_p", "2"],
  ["temperature", "1e999"],
  ["repeat_penalty", "-1"],
  ["repeat_last_n", String(2 ** 31)],
  ["mirostat", "3"],
  ["seed", "18446744073709551617"],
];

/** POSTs `body` with `options` spliced in as raw JSON text. */
async function post(path: string, body: Json, options: string): Promise<{ status: number; body: Json }> {
  const text = JSON.stringify({ ...body, options: "@@" }).replace('"@@"', options);
  const res = await s.request(path, text);
  return { status: res.status, body: await res.json() };
}

const ROUTES: [route: string, body: Json, message: (b: Json) => string][] = [
  ["/api/generate", { model: "tiny", prompt: "hi", stream: false }, (b) => b.error],
  [
    "/api/chat",
    { model: "tiny", messages: [{ role: "user", content: "hi" }], stream: false },
    (b) => b.error,
  ],
  ["/api/embed", { model: "embed", input: "hi" }, (b) => b.error],
  [
    "/v1/chat/completions",
    { model: "tiny", messages: [{ role: "user", content: "hi" }] },
    (b) => b.error?.message,
  ],
];

describe("option bounds", () => {
  for (const [route, body, message] of ROUTES) {
    test(`${route}: each out-of-range option is a 400 naming it and its range`, async () => {
      for (const [name, value] of BAD) {
        const r = await post(route, body, `{"${name}": ${value}}`);
        expect({ name, value, status: r.status }).toEqual({ name, value, status: 400 });
        const text = String(message(r.body));
        expect(text).toContain(name);
        // Type errors (ints that are not integers) name the type; range errors the range.
        if (!text.includes("type")) expect(text).toMatch(/between -?\d+ and \d+/);
      }
    });
  }

  test("num_thread above the cores names the cores as the limit", async () => {
    const r = await post(
      "/api/generate",
      { model: "tiny", prompt: "hi", stream: false },
      '{"num_thread": 99999}',
    );
    expect(r.status).toBe(400);
    expect(r.body.error).toBe(
      `option "num_thread" must be between 0 and ${cores} (the machine's logical cores), got 99999`,
    );
  });

  test("num_keep larger than the num_ctx asked for is refused", async () => {
    const r = await post(
      "/api/generate",
      { model: "tiny", prompt: "hi", stream: false },
      '{"num_ctx": 256, "num_keep": 1000}',
    );
    expect(r.status).toBe(400);
    expect(r.body.error).toContain('"num_keep"');
  });

  test("in-range edge values run: num_batch 1 (below the slot count), num_batch past num_ctx, every core", async () => {
    for (const options of [
      { num_batch: 1 },
      { num_batch: 8192, num_ctx: 512 },
      { num_thread: cores },
      { temperature: 1e-30, repeat_penalty: 0, repeat_last_n: -1 },
    ]) {
      const r = await post(
        "/api/generate",
        { model: "tiny", prompt: "Once upon a time", stream: false },
        JSON.stringify({ ...GREEDY, num_predict: 3, ...options }),
      );
      expect({ options, status: r.status, error: r.body.error }).toEqual({
        options,
        status: 200,
        error: undefined,
      });
      expect(r.body.done).toBe(true);
    }
  });

  test("the model still serves after every refusal", async () => {
    const r = await s.client.generate({
      model: "tiny",
      prompt: "Hello",
      options: { ...GREEDY, num_predict: 4 },
    });
    expect(r.done).toBe(true);
    expect(r.eval_count).toBe(4);
    const e = await s.client.embed({ model: "embed", input: "hello" });
    expect(e.embeddings[0]?.length).toBeGreaterThan(0);
  });
});
