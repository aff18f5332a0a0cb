import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { TokenRepeatLimitError } from "../../src/llama/engine/batching/errors.ts";
import type { RunnerClient } from "../../src/runner/client.ts";
import { synthModel } from "../fixtures/models.ts";
import { closeAll, collect, GREEDY, startRunner } from "./helpers.ts";

let runner: RunnerClient;

beforeAll(async () => {
  runner = await startRunner(await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" }), {
    num_ctx: 64,
    num_parallel: 2,
  });
});
afterAll(closeAll);

describe("generation guardrails", () => {
  test("top-N logprobs: sorted, normalised, and the greedy pick is the most likely", async () => {
    const chunks = [];
    for await (const c of runner.completion({
      prompt: "Hello",
      logprobs: 3,
      options: { ...GREEDY, num_predict: 4 },
    }))
      if (!c.done) chunks.push(c);
    const lps = chunks.flatMap((c) => c.logprobs ?? []);
    expect(lps.length).toBe(4);
    for (const lp of lps) {
      expect(lp.top.length).toBe(3);
      expect(lp.logprob).toBeLessThanOrEqual(0);
      expect(lp.top[0]?.id).toBe(lp.id);
      expect(lp.top.map((t) => t.logprob)).toEqual([...lp.top.map((t) => t.logprob)].sort((a, b) => b - a));
    }
  });

  test("context full: shift keeps generating, shift=false stops with done_reason length", async () => {
    // llama.cpp rounds n_ctx up to a multiple of 256: a 220-token prompt leaves room for fewer than 100.
    const prompt = Array.from({ length: 220 }, (_, i) => 200 + i);
    const stopped = await collect(runner, { prompt, shift: false, options: { ...GREEDY, num_predict: 100 } });
    expect(stopped.done.done_reason).toBe("length");
    expect(stopped.done.timings.predicted_n).toBeLessThan(100);
    expect(stopped.done.timings.predicted_n).toBeGreaterThan(0);
    const shifted = await collect(runner, {
      prompt,
      options: { temperature: 1, seed: 3, num_predict: 100, num_keep: 4 },
    });
    expect(shifted.done.timings.predicted_n).toBe(100);
    expect(shifted.done.done_reason).toBe("length");
  });

  test("a token repeated without end ends with TokenRepeatLimitError, not a cancellation", async () => {
    let err: unknown;
    try {
      await collect(runner, {
        prompt: "x",
        logit_bias: { "1000": 100 },
        shift: true,
        options: { ...GREEDY, num_predict: 1000 },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TokenRepeatLimitError);
    expect((err as Error).message).toContain("repeated");
  });
});
