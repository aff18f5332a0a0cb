/**
 * The "endless" test model (src/gguf/synth/endless.ts) through a real server: pushed toward </s> by a logit
 * bias that makes the plain tiny model stop at once, it still runs to its token limit; unbiased streams at a
 * high temperature run to theirs too. Tests that need a stream to outlive something (drain, cancel) use it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startServerWith, type TestServer } from "./helpers.ts";

let s: TestServer;
const EOS = 2; // </s> in llama-spm

beforeAll(async () => {
  s = await startServerWith(["tiny", "endless"]);
});
afterAll(() => s.stop());

const biasedToEos = (model: string) =>
  s.request("/v1/chat/completions", {
    model,
    messages: [{ role: "user", content: "stop here" }],
    max_tokens: 200,
    temperature: 1,
    seed: 5,
    logit_bias: { [EOS]: 20 },
  });

describe("endless test model", () => {
  test("a +20 bias toward </s> stops the plain model at once and not the endless one", async () => {
    const plain = await (await biasedToEos("tiny")).json();
    expect(plain.choices[0].finish_reason).toBe("stop");
    expect(plain.usage.completion_tokens).toBeLessThan(5);
    const endless = await (await biasedToEos("endless")).json();
    expect(endless.choices[0].finish_reason).toBe("length");
    expect(endless.usage.completion_tokens).toBe(200);
  });

  test("4 concurrent streams at temperature 2 each run to num_predict", async () => {
    const done = await Promise.all(
      [1, 2, 3, 4].map(async (seed) => {
        const r = await s.request("/api/generate", {
          model: "endless",
          prompt: `story ${seed}`,
          stream: false,
          options: { temperature: 2, seed, num_predict: 1500, repeat_penalty: 1 },
        });
        return r.json();
      }),
    );
    for (const d of done) expect(d).toMatchObject({ done: true, done_reason: "length", eval_count: 1500 });
  }, 120_000);
});
