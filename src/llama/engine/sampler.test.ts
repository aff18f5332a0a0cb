import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { synthModel, toolModels } from "../../../test/fixtures/models.ts";
import { useNativeBackend } from "../../../test/helpers/native.ts";
import { schemaToGbnf } from "../../inference/grammar/json-schema.ts";
import { addressOf, cstr, type Ptr } from "../ffi/memory.ts";
import { native } from "../ffi/native.ts";
import { LogitBias, StructView } from "../ffi/structs.ts";
import { Batch } from "./batch.ts";
import { Context } from "./context.ts";
import { Model } from "./model.ts";
import { SamplerChain, type SamplerOptions } from "./sampler.ts";

// Random weights: the chain's first pick is often outside the grammar, so the resample path runs a lot.
let spm: Model;
let qwen: Model;

beforeAll(async () => {
  useNativeBackend();
  spm = Model.load(await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" }));
  qwen = Model.load(await toolModels.qwen25());
});
afterAll(() => {
  spm?.dispose();
  qwen?.dispose();
});

const BOUNDED = schemaToGbnf({
  type: "object",
  properties: {
    ok: { type: "boolean" },
    n: { type: "integer" },
    color: { enum: ["red", "green", "blue"] },
  },
  required: ["ok", "n", "color"],
});
// Free strings: the content reaches every part of the vocabulary (non-ASCII included).
const OPEN = schemaToGbnf({
  type: "object",
  properties: { name: { type: "string" }, tags: { type: "array", items: { type: "string" } } },
  required: ["name", "tags"],
});

/** Generates up to `n` tokens after `prompt`, stopping at end of generation. */
function generate(
  model: Model,
  prompt: string,
  n: number,
  sample: (ctx: Context, row: number) => number,
): { tokens: number[]; eog: boolean } {
  using ctx = new Context(model, { nCtx: 512, nBatch: 512, nUbatch: 512, nSeqMax: 1, nThreads: 2 });
  using batch = new Batch(512, 1);
  const p = model.vocab.tokenize(prompt, true);
  let row = -1;
  p.forEach((t, i) => {
    row = batch.add(t, i, 0, i === p.length - 1);
  });
  ctx.decode(batch);
  const tokens: number[] = [];
  for (let pos = p.length; tokens.length < n; pos++) {
    const tok = sample(ctx, row);
    if (model.vocab.isEog(tok)) return { tokens, eog: true };
    tokens.push(tok);
    batch.clear();
    row = batch.add(tok, pos, 0, true);
    ctx.decode(batch);
  }
  return { tokens, eog: false };
}

/** The procedure this sampler replaced: the grammar inside the chain, checked against every token. */
function inChainSample(model: Model, grammar: string, o: SamplerOptions) {
  const { llama, shim } = native();
  const chain = shim.tsllm_sampler_chain_init(true) as Ptr;
  const add = (s: unknown) => llama.llama_sampler_chain_add(chain, s as Ptr);
  const bias = Object.entries(o.logitBias ?? {});
  if (bias.length > 0) {
    const buf = new Uint8Array(bias.length * LogitBias.size);
    bias.forEach(([token, b], i) => {
      const at = buf.subarray(i * LogitBias.size, (i + 1) * LogitBias.size);
      new StructView(LogitBias, at).set("token", Number(token)).set("bias", b);
    });
    add(llama.llama_sampler_init_logit_bias(model.vocab.size, bias.length, addressOf(buf)));
  }
  add(llama.llama_sampler_init_grammar(model.vocab.handle, cstr(grammar), cstr("root")));
  if (o.repeat_penalty !== undefined)
    add(llama.llama_sampler_init_penalties(model.vocab.size, 64, o.repeat_penalty, 0, 0));
  if (o.temperature === 0) {
    add(llama.llama_sampler_init_greedy());
  } else {
    add(llama.llama_sampler_init_top_k(o.top_k ?? 40));
    add(llama.llama_sampler_init_top_p(o.top_p ?? 0.9, 1));
    add(llama.llama_sampler_init_temp(o.temperature ?? 0.8));
    add(llama.llama_sampler_init_dist(o.seed ?? 0));
  }
  return {
    sample: (ctx: Context, row: number) => llama.llama_sampler_sample(chain, ctx.handle, row) as number,
    [Symbol.dispose]: () => llama.llama_sampler_free(chain),
  };
}

describe("grammar sampling beside the chain", () => {
  test("JSON-schema output always parses and conforms (several seeds, Ollama's default sampling)", () => {
    let rejected = 0;
    for (const seed of [1, 2, 3, 4]) {
      using s = new SamplerChain(spm.vocab, { seed, grammar: BOUNDED });
      const out = generate(spm, "Reply in JSON:", 200, (ctx, row) => s.sample(ctx, row));
      const text = spm.vocab.detokenize(out.tokens);
      expect({ seed, text, eog: out.eog }).toEqual({ seed, text, eog: true });
      const v = JSON.parse(text);
      expect(Object.keys(v).sort()).toEqual(["color", "n", "ok"]);
      expect(typeof v.ok).toBe("boolean");
      expect(Number.isInteger(v.n)).toBe(true);
      expect(["red", "green", "blue"]).toContain(v.color);
      rejected += s.grammarStats()?.rejected ?? 0;
    }
    expect(rejected).toBeGreaterThan(0); // the resample path ran
  });

  for (const [name, model] of [
    ["llama-spm", () => spm],
    ["qwen2", () => qwen],
  ] as const) {
    test(`${name}: greedy picks the best grammar-valid token, as the full-vocabulary path does`, () => {
      const o: SamplerOptions = { temperature: 0 };
      using s = new SamplerChain(model().vocab, { ...o, grammar: OPEN });
      const ours = generate(model(), "Name and tags:", 40, (ctx, row) => s.sample(ctx, row));
      using ref = inChainSample(model(), OPEN, o);
      const theirs = generate(model(), "Name and tags:", 40, ref.sample);
      expect(ours).toEqual(theirs);
      expect(s.grammarStats()?.rejected).toBeGreaterThan(0);
    });

    test(`${name}: grammar-first top-k sampling equals the full-vocabulary path token for token`, () => {
      for (const o of [
        { seed: 7, temperature: 1, top_k: 40, top_p: 0.9 },
        {
          seed: 8,
          temperature: 0.7,
          top_k: 5,
          top_p: 0.95,
          repeat_penalty: 1.3,
          logitBias: { 100: 4, 200: -50 },
        },
      ] satisfies SamplerOptions[]) {
        using s = new SamplerChain(model().vocab, { ...o, grammar: OPEN });
        const ours = generate(model(), "Name and tags:", 40, (ctx, row) => s.sample(ctx, row, true));
        using ref = inChainSample(model(), OPEN, o);
        const theirs = generate(model(), "Name and tags:", 40, ref.sample);
        expect(ours).toEqual(theirs);
      }
    });
  }

  test("an untriggered lazy grammar samples exactly as no grammar", () => {
    const o: SamplerOptions = { seed: 11, temperature: 1 };
    const lazy = { words: ["NEVER-SEEN-TRIGGER"], patterns: [] };
    using s = new SamplerChain(qwen.vocab, { ...o, grammar: OPEN, grammarTriggers: lazy });
    const ours = generate(qwen, "Hello", 30, (ctx, row) => s.sample(ctx, row));
    using free = new SamplerChain(qwen.vocab, o);
    const theirs = generate(qwen, "Hello", 30, (ctx, row) => free.sample(ctx, row));
    expect(ours).toEqual(theirs);
    expect(s.grammarStats()?.rejected).toBe(0);
  });

  test("a lazy grammar constrains from its trigger on", () => {
    const brace = spm.vocab.tokenize("{", false).at(-1) as number;
    const lazy = { words: ["{"], patterns: [] };
    for (const seed of [1, 2]) {
      // The bias makes "{" the first pick (the trigger); unconstrained it would repeat forever.
      const o: SamplerOptions = { seed, temperature: 1, logitBias: { [brace]: 100 } };
      using s = new SamplerChain(spm.vocab, { ...o, grammar: BOUNDED, grammarTriggers: lazy });
      const out = generate(spm, "Hello", 200, (ctx, row) => s.sample(ctx, row));
      const text = spm.vocab.detokenize(out.tokens);
      expect({ text, eog: out.eog }).toEqual({ text, eog: true });
      expect(Object.keys(JSON.parse(text.slice(text.indexOf("{"))))).toHaveLength(3);
    }
  });

  test("an invalid grammar throws and frees the chain", () => {
    expect(() => new SamplerChain(spm.vocab, { grammar: "root ::= (" })).toThrow(/invalid grammar/);
  });
});
