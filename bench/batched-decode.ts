/**
 * Batched generation speed through tsllm's FFI, shaped like llama-batched-bench (-npp 16 -ntg 64 -npl B):
 * B sequences prefill 16 tokens each, then 64 (--steps) steps of one token per sequence; generated tokens per second.
 * Compare with: llama-batched-bench -m MODEL -c 4096 -b 512 -ub 512 -npp 16 -ntg 64 -npl 1,4 -t 2 -kvu
 * Usage: bun bench/batched-decode.ts [--threads 2] [--batches 1,4] [--steps 64]   (TSLLM_LIB_DIR to try other libllama builds)
 */
import { parseArgs } from "node:util";
import { initBackend } from "../src/llama/engine/backend.ts";
import { Batch } from "../src/llama/engine/batch.ts";
import { Context } from "../src/llama/engine/context.ts";
import { Model } from "../src/llama/engine/model.ts";
import { synthModel } from "../test/fixtures/models.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    threads: { type: "string", default: "2" },
    batches: { type: "string", default: "1,4" },
    steps: { type: "string", default: "64" },
  },
});
initBackend({ cacheDir: `${process.env.HOME}/.cache/tsllm`, libDir: process.env.TSLLM_LIB_DIR });
const model = Model.load(await synthModel({ preset: "1b", quant: "q4_0", vocab: "llama-spm" }));
const sizes = values.batches.split(",").map(Number);
const steps = Number(values.steps);
const ctx = new Context(model, {
  nCtx: 4096,
  nBatch: 512,
  nUbatch: 512,
  nSeqMax: Math.max(...sizes),
  nThreads: Number(values.threads),
  kvUnified: true,
});
const batch = new Batch(512, 1);
console.log("| B | S_TG t/s | ms/step |\n|---|---|---|");
for (const B of sizes) {
  ctx.clearMemory();
  batch.clear();
  for (let s = 0; s < B; s++) for (let i = 0; i < 16; i++) batch.add(100 + i + s, i, s, i === 15);
  ctx.decode(batch);
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) {
    batch.clear();
    for (let s = 0; s < B; s++) batch.add(500 + k, 16 + k, s, true);
    ctx.decode(batch);
  }
  const ms = performance.now() - t0;
  console.log(`| ${B} | ${((B * steps) / (ms / 1000)).toFixed(1)} | ${(ms / steps).toFixed(1)} |`);
}
