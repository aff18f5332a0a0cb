/**
 * Raw decode speed through tsllm's FFI, measured the way llama-bench measures it: pp N = one batch of N
 * random tokens, tg N = N single-token decodes; no tokenizer, no sampling; a warm-up run first; mean of
 * `reps` runs. Usage: bun bench/raw-decode.ts <model.gguf> [--threads 2] [--pp 512] [--tg 128] [--reps 5]
 */
import { parseArgs } from "node:util";
import { initBackend } from "../src/llama/engine/backend.ts";
import { Batch } from "../src/llama/engine/batch.ts";
import { Context } from "../src/llama/engine/context.ts";
import { Model } from "../src/llama/engine/model.ts";
import { lcg } from "./stats.ts";

const { values, positionals } = parseArgs({
  args: Bun.argv.slice(2),
  allowPositionals: true,
  options: {
    threads: { type: "string", default: "2" },
    pp: { type: "string", default: "512" },
    tg: { type: "string", default: "128" },
    reps: { type: "string", default: "5" },
  },
});
const [path] = positionals;
if (!path) throw new Error("usage: bun bench/raw-decode.ts <model.gguf>");
const threads = Number(values.threads);
const pp = Number(values.pp);
const tg = Number(values.tg);
const reps = Number(values.reps);

initBackend({ cacheDir: `${process.env.HOME}/.cache/tsllm` });
const model = Model.load(path);
// Same context shape llama-bench uses: n_ctx = pp + tg, n_batch 2048, n_ubatch 512.
const ctx = new Context(model, { nCtx: pp + tg, nBatch: 2048, nUbatch: 512, nThreads: threads });
const batch = new Batch(Math.max(pp, 1), 1);
const nVocab = model.vocab.size;
const next = lcg(42);
const rand = () => next() % nVocab;

function runPp(): number {
  ctx.clearMemory();
  batch.clear();
  for (let i = 0; i < pp; i++) batch.add(rand(), i, 0, i === pp - 1);
  const t0 = performance.now();
  ctx.decode(batch);
  return performance.now() - t0;
}

function runTg(): number {
  ctx.clearMemory();
  const t0 = performance.now();
  for (let i = 0; i < tg; i++) {
    batch.clear();
    batch.add(rand(), i, 0, true);
    ctx.decode(batch);
  }
  return performance.now() - t0;
}

function measure(run: () => number, n: number) {
  run(); // warm-up, as llama-bench does
  const ts = Array.from({ length: reps }, () => n / (run() / 1000));
  const mean = ts.reduce((a, b) => a + b, 0) / ts.length;
  const sd = Math.sqrt(ts.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, ts.length - 1));
  return { mean, sd };
}

const ppr = measure(runPp, pp);
const tgr = measure(runTg, tg);
console.log(JSON.stringify({ model: model.describe(), threads, [`pp${pp}`]: ppr, [`tg${tg}`]: tgr }));
ctx.dispose();
model.dispose();
