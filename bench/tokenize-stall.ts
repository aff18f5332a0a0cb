/**
 * Does a huge prompt on one slot hold up a small request on another slot of the same model? Starts a runner
 * (tiny model, 2 slots), then measures the small request's time to first token alone, and again while a
 * --mb MB prompt is being tokenized and prefilled on the other slot; prints both, and how long the big
 * request took to its first token. Before tokenization moved off the engine thread the small request
 * waited for the whole tokenize (287 s behind a 10 MB prompt on a busy machine).
 * Usage: bun bench/tokenize-stall.ts [--mb 10] [--runs 5] [--text words|special]
 */
import { parseArgs } from "node:util";
import { Env } from "../src/config/env.ts";
import { RunnerClient } from "../src/runner/client.ts";
import { synthModel } from "../test/fixtures/models.ts";
import { loadOptions } from "../test/runner/helpers.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    mb: { type: "string", default: "10" },
    runs: { type: "string", default: "5" },
    text: { type: "string", default: "words" },
  },
});
const mb = Number(values.mb);
const runs = Number(values.runs);
const unit = values.text === "special" ? "<s> hello " : "the quick brown fox jumps over the lazy dog. ";
const big = unit.repeat(Math.ceil((mb * 1e6) / unit.length));

const runner = new RunnerClient(
  {
    model: await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" }),
    variant: "cpu",
    options: loadOptions({ num_thread: 0, num_parallel: 2 }),
  },
  { env: new Env({ ...process.env, TSLLM_LLM_LIBRARY: "cpu" }) },
);
await runner.waitUntilRunning();

const options = { temperature: 0, seed: 1, num_predict: 1 };

/** Milliseconds from sending `prompt` to its first record. */
async function ttft(prompt: string): Promise<number> {
  const t0 = performance.now();
  for await (const _ of runner.completion({ prompt, options })) return performance.now() - t0;
  return Number.NaN;
}

try {
  const alone: number[] = [];
  for (let i = 0; i < runs; i++) alone.push(await ttft(`hello ${i}`));
  const behind: number[] = [];
  const bigFirst: number[] = [];
  for (let i = 0; i < runs; i++) {
    const bigRun = ttft(`${i} ${big}`);
    await Bun.sleep(50); // the big request reaches the runner first
    behind.push(await ttft(`hello ${i}`));
    bigFirst.push(await bigRun);
  }
  console.log(`| small request TTFT | ms (median of ${runs}) |\n|---|---|`);
  console.log(`| alone | ${median(alone).toFixed(1)} |`);
  console.log(`| beside a ${mb} MB prompt (${values.text}) | ${median(behind).toFixed(1)} |`);
  console.log(`| (the ${mb} MB prompt's own TTFT) | ${median(bigFirst).toFixed(0)} |`);
} finally {
  await runner.close();
}
