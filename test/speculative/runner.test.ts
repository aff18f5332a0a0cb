/**
 * Speculative decoding in a real runner: with n-gram drafting and with a draft model (the target's own q8_0
 * copy: same seed, so it mostly agrees), greedy output is token-for-token what plain decoding gives, for one
 * stream and for four concurrent ones, and with a grammar; a draft model with another vocabulary is refused.
 * Drafts stay short: ggml's CPU backend takes other matrix kernels for large batches, whose logits differ
 * in the last digits (measured on this model: up to 3e-3 in a 70-row batch, 4e-6 in a 20-row one), which can
 * flip a greedy pick where the top two logits nearly tie (seen under a grammar, at a 3e-4 gap). Plain
 * continuous batching has the same property when a token's batch mates change; it is not what this tests.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { formatToGrammar } from "../../src/inference/grammar/format.ts";
import type { RunnerClient } from "../../src/runner/client.ts";
import type { CompletionRequest, Speculative } from "../../src/runner/protocol.ts";
import { synthModel } from "../fixtures/models.ts";
import { closeAll, collect, GREEDY, startRunner } from "../runner/helpers.ts";

const WORDS = ["river", "stone", "light", "paper", "glass", "storm", "garden", "engine", "north", "silver"];
/** 20 prompts; half repeat their own text, where prompt lookup finds drafts. */
const PROMPTS = Array.from({ length: 20 }, (_, i) => {
  const w = WORDS.slice(i % 5, (i % 5) + 4 + (i % 3)).join(" ");
  return i % 2 === 0 ? `Repeat after me: ${w}. ${w}. ${w}.` : `Story ${i} about the ${w}:`;
});
const N = 24;

let runner: RunnerClient;
let drafted: RunnerClient;

beforeAll(async () => {
  const target = await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" });
  const draft = await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" });
  [runner, drafted] = await Promise.all([
    startRunner(target, { num_parallel: 4 }),
    startRunner(target, { num_parallel: 4, draft_model: draft }),
  ]);
});
afterAll(closeAll);

const req = (prompt: string, speculative: Speculative, extra: Partial<CompletionRequest> = {}) => ({
  prompt,
  options: { ...GREEDY, num_predict: N },
  speculative,
  ...extra,
});

async function run(r: RunnerClient, sp: Speculative, concurrent: boolean, extra = {}, prompts = PROMPTS) {
  const out = [];
  if (concurrent) {
    for (let i = 0; i < prompts.length; i += 4)
      out.push(...(await Promise.all(prompts.slice(i, i + 4).map((p) => collect(r, req(p, sp, extra))))));
  } else for (const p of prompts) out.push(await collect(r, req(p, sp, extra)));
  return out;
}

const sum = (xs: { done: { timings: { draft_n?: number; draft_n_accepted?: number } } }[]) => ({
  proposed: xs.reduce((n, x) => n + (x.done.timings.draft_n ?? 0), 0),
  accepted: xs.reduce((n, x) => n + (x.done.timings.draft_n_accepted ?? 0), 0),
});

describe("speculative decoding", () => {
  let plain: number[][];

  beforeAll(async () => {
    plain = (await run(runner, { type: "off" }, false)).map((x) => x.tokens);
    expect(plain.every((t) => t.length > 0)).toBe(true);
  });

  for (const concurrent of [false, true]) {
    const label = concurrent ? "4 concurrent streams" : "1 stream";

    test(`n-gram drafting equals plain greedy decoding (${label})`, async () => {
      const out = await run(runner, { type: "ngram", n_max: 6 }, concurrent);
      expect(out.map((x) => x.tokens)).toEqual(plain);
      const s = sum(out);
      expect(s.proposed).toBeGreaterThan(0);
      expect(s.accepted).toBeGreaterThan(0);
      expect(s.accepted).toBeLessThanOrEqual(s.proposed);
    });

    test(`a draft model equals plain greedy decoding (${label})`, async () => {
      const out = await run(drafted, { n_max: 6 }, concurrent); // the draft model is the default mode
      expect(out.map((x) => x.tokens)).toEqual(plain);
      const s = sum(out);
      expect(s.proposed).toBeGreaterThan(0);
      expect(s.accepted).toBeGreaterThan(s.proposed / 4); // a same-seed q8_0 copy mostly agrees
    });
  }

  test("with a JSON grammar, n-gram and draft-model output equal plain decoding", async () => {
    const grammar = formatToGrammar("json") as string;
    const g = { grammar };
    const prompts = PROMPTS.slice(0, 8);
    const base = (await run(runner, { type: "off" }, true, g, prompts)).map((x) => x.tokens);
    const ngram = await run(runner, { type: "ngram", n_max: 4 }, true, g, prompts);
    const model = await run(drafted, { type: "model", n_max: 4 }, true, g, prompts);
    expect(ngram.map((x) => x.tokens)).toEqual(base);
    expect(model.map((x) => x.tokens)).toEqual(base);
    expect(sum(model).accepted).toBeGreaterThan(0);
    for (const x of model) expect(x.text.trimStart().startsWith("{")).toBe(true);
  });

  test("plain requests report no draft counts; a model runner without a draft refuses draft: model", async () => {
    const off = await collect(runner, req("Hello", {}));
    expect(off.done.timings.draft_n).toBeUndefined();
    await expect(collect(runner, req("Hello", { type: "model" }))).rejects.toThrow(/draft model/);
  });

  test("a draft model with another vocabulary is refused at load", async () => {
    const target = await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" });
    const other = await synthModel({ preset: "tiny", quant: "q4_0", vocab: "llama-bpe" });
    await expect(startRunner(target, { num_parallel: 1, draft_model: other })).rejects.toThrow(
      /draft model's vocabulary differs/,
    );
  });
});
