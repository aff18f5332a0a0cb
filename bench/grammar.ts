/**
 * Structured outputs: what the JSON Schema → GBNF converter and grammar-constrained sampling cost.
 *  - compile time of a 100-property schema (strings, bounded integers and numbers, enums, formats, patterns,
 *    arrays, nested objects), median of `--compiles` runs, and the grammar's size;
 *  - generation rate (the runner's own predicted tokens / predicted ms) with that kind of schema as a grammar
 *    vs no grammar: same runner, prompt, sampling and num_predict on the 1b benchmark model, `--reps` pairs
 *    run in alternating order; the ratio (target ≥ 0.8) is the median of the per-pair ratios;
 *  - the sampling step alone per token, free and with the grammar (it runs on one thread, so it is less
 *    exposed to a busy machine than decode is), with the decode step for scale.
 * Usage: bun bench/grammar.ts [--threads 2] [--tokens 128] [--reps 6] [--compiles 200]
 */
import { parseArgs } from "node:util";
import { Env } from "../src/config/env.ts";
import { schemaToGbnf } from "../src/inference/grammar/json-schema.ts";
import { Batch } from "../src/llama/engine/batch.ts";
import { Context } from "../src/llama/engine/context.ts";
import { Model } from "../src/llama/engine/model.ts";
import { SamplerChain } from "../src/llama/engine/sampler.ts";
import { RunnerClient } from "../src/runner/client.ts";
import { synthModel } from "../test/fixtures/models.ts";
import { useNativeBackend } from "../test/helpers/native.ts";
import { loadOptions } from "../test/runner/helpers.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    threads: { type: "string", default: "2" },
    tokens: { type: "string", default: "128" },
    reps: { type: "string", default: "6" },
    compiles: { type: "string", default: "200" },
  },
});

const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

/** A 100-property object schema, ten kinds of property in turn, every other one required. */
function wideSchema(): Record<string, unknown> {
  const kinds = [
    { type: "string", maxLength: 40 },
    { type: "integer", minimum: 0, maximum: 120 },
    { type: "number", minimum: -1.5, exclusiveMaximum: 1000 },
    { enum: ["red", "green", "blue", null] },
    { type: "boolean" },
    { type: "string", format: "date-time" },
    { type: "string", format: "email" },
    { type: "string", pattern: "^[A-Z]{2}-\\d{4}$" },
    { type: "array", items: { type: "integer", minimum: -10, maximum: 10 }, maxItems: 5 },
    {
      type: "object",
      properties: { x: { type: "number" }, y: { type: ["string", "null"] } },
      required: ["x"],
    },
  ];
  const properties = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`field_${i}`, kinds[i % 10]]));
  return { type: "object", properties, required: Object.keys(properties).filter((_, i) => i % 2 === 0) };
}

// (a) compile time
const wide = wideSchema();
const grammar = schemaToGbnf(wide);
const compileMs: number[] = [];
for (let i = 0; i < Number(values.compiles); i++) {
  const t0 = performance.now();
  schemaToGbnf(wide);
  compileMs.push(performance.now() - t0);
}

// (b) constrained vs free generation. An array of records long enough that num_predict ends it first.
const records = {
  type: "array",
  minItems: 50,
  items: {
    type: "object",
    properties: {
      name: { type: "string", maxLength: 24 },
      age: { type: "integer", minimum: 0, maximum: 120 },
      email: { type: "string", format: "email" },
      score: { type: "number", minimum: 0, maximum: 1 },
      tags: { type: "array", items: { enum: ["a", "b", "c"] }, maxItems: 3 },
      active: { type: "boolean" },
    },
    required: ["name", "age", "email", "score", "tags", "active"],
  },
};
const nGen = Number(values.tokens);
const model = await synthModel({ preset: "1b", quant: "q4_0", vocab: "llama-spm" });
const runner = new RunnerClient(
  {
    model,
    options: loadOptions({ num_ctx: 4096, num_parallel: 1, num_thread: Number(values.threads) }),
    variant: "cpu",
  },
  { env: new Env() },
);
await runner.waitUntilRunning();
const prompt = "Here are the people in the team, as JSON:";
async function rate(withGrammar: boolean, seed: number): Promise<{ tps: number; n: number }> {
  for await (const c of runner.completion({
    prompt,
    options: { temperature: 0.8, top_k: 40, top_p: 0.9, seed, num_predict: nGen },
    ...(withGrammar ? { grammar: schemaToGbnf(records) } : {}),
  }))
    if (c.done)
      return { tps: (c.timings.predicted_n * 1000) / c.timings.predicted_ms, n: c.timings.predicted_n };
  throw new Error("completion ended without its final record");
}
await rate(false, 1);
await rate(true, 1);
// Pairs in alternating order, so a change in machine load hits both sides alike; the ratio is taken per pair.
const free: number[] = [];
const constrained: number[] = [];
const ratios: number[] = [];
const counts: number[] = [];
for (let i = 0; i < Number(values.reps); i++) {
  const first = await rate(i % 2 === 1, 10 + i);
  const second = await rate(i % 2 === 0, 10 + i);
  const [fr, co] = i % 2 === 0 ? [first, second] : [second, first];
  free.push(fr.tps);
  constrained.push(co.tps);
  ratios.push(co.tps / fr.tps);
  counts.push(co.n);
}
await runner.close();

// (c) The sampling step alone (single-threaded, so less exposed to load than decode), per token, with and
// without the grammar, on the same model's logits, through the engine in this process.
useNativeBackend();
const engineModel = Model.load(model);
const ctx = new Context(engineModel, {
  nCtx: 2048,
  nBatch: 512,
  nUbatch: 512,
  nSeqMax: 1,
  nThreads: Number(values.threads),
  kvUnified: true,
});
function stepCosts(grammar: string | undefined): { sampleMs: number; decodeMs: number } {
  ctx.clearMemory();
  using batch = new Batch(512, 1);
  using sampler = new SamplerChain(engineModel.vocab, {
    temperature: 0.8,
    top_k: 40,
    top_p: 0.9,
    seed: 5,
    grammar,
  });
  const tokens = engineModel.vocab.tokenize(prompt, true);
  let row = -1;
  for (let i = 0; i < tokens.length; i++) row = batch.add(tokens[i] as number, i, 0, i === tokens.length - 1);
  ctx.decode(batch);
  const sample: number[] = [];
  const decode: number[] = [];
  for (let pos = tokens.length; sample.length < 64; pos++) {
    const t0 = performance.now();
    const tok = sampler.sample(ctx, row);
    const t1 = performance.now();
    batch.clear();
    row = batch.add(tok, pos, 0, true);
    ctx.decode(batch);
    sample.push(t1 - t0);
    decode.push(performance.now() - t1);
  }
  // Means: a rejected pick that needs a full grammar pass is rare but costly, and throughput pays for it.
  return { sampleMs: mean(sample), decodeMs: mean(decode) };
}
const freeStep = stepCosts(undefined);
const gramStep = stepCosts(schemaToGbnf(records));
ctx.dispose();
engineModel.dispose();

const f = median(free);
const c = median(constrained);
console.log("| measure | value |\n|---|---|");
console.log(
  `| compile a 100-property schema, median of ${compileMs.length} (ms) | ${median(compileMs).toFixed(2)} |`,
);
console.log(`| its grammar (rules / characters) | ${grammar.split("\n").length} / ${grammar.length} |`);
console.log(
  `| 1b q4_0, ${values.threads} threads, free generation (tokens/s, median of ${free.length}) | ${f.toFixed(2)} |`,
);
console.log(
  `| same, constrained by a JSON schema (tokens/s; tokens generated: ${counts.join(", ")}) | ${c.toFixed(2)} |`,
);
console.log(
  `| constrained / free (median of per-pair ratios: ${ratios.map((r) => r.toFixed(2)).join(", ")}) | ${median(ratios).toFixed(2)} |`,
);
console.log(
  `| sampling step per token, mean of 64: free / with the grammar (ms) | ${freeStep.sampleMs.toFixed(2)} / ${gramStep.sampleMs.toFixed(2)} |`,
);
console.log(
  `| decode step per token, mean of 64, for scale (ms) | ${freeStep.decodeMs.toFixed(1)} / ${gramStep.decodeMs.toFixed(1)} |`,
);
const decodeMs = (freeStep.decodeMs + gramStep.decodeMs) / 2; // decode does not depend on the grammar
const implied = (decodeMs + freeStep.sampleMs) / (decodeMs + gramStep.sampleMs);
console.log(`| constrained / free from these steps (same decode, each sampling) | ${implied.toFixed(2)} |`);
