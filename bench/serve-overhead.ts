/**
 * What `serve` adds on top of a runner, and what the server process itself costs:
 *  - latency of /api/generate (num_predict 1, stream false, raw prompt) through serve vs the same completion
 *    sent to the runner directly (p50 and p90 of `n` sequential requests, after warm-up);
 *  - the server process's RSS when idle and at its peak while 64 concurrent streams run.
 * The server runs as its own process (`bun src/main.ts serve`), as users run it.
 * Usage: bun bench/serve-overhead.ts [--n 200] [--streams 64]
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Env } from "../src/config/env.ts";
import { RunnerClient } from "../src/runner/client.ts";
import { synthModel } from "../test/fixtures/models.ts";
import { loadOptions } from "../test/runner/helpers.ts";
import { percentile } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { n: { type: "string", default: "200" }, streams: { type: "string", default: "64" } },
});
const N = Number(values.n);
const gguf = await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" });
const root = mkdtempSync(join(tmpdir(), "tsllm-bench-"));
const port = 30000 + Math.floor(Math.random() * 20000);
const url = `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  TSLLM_HOST: `127.0.0.1:${port}`,
  TSLLM_MODELS: join(root, "models"),
  TSLLM_NUM_PARALLEL: "4",
  TSLLM_NUM_THREADS: "2",
  TSLLM_LLM_LIBRARY: "cpu",
};
const server = Bun.spawn(["bun", join(import.meta.dir, "../src/main.ts"), "serve"], {
  env,
  stdout: "ignore",
  stderr: "ignore",
});
const rss = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

for (
  let i = 0;
  i < 200 &&
  !(await fetch(url).then(
    (r) => r.ok,
    () => false,
  ));
  i++
)
  await Bun.sleep(50);
await Bun.sleep(500);
const idleRss = rss();
const digest = `sha256:${createHash("sha256").update(readFileSync(gguf)).digest("hex")}`;
await fetch(`${url}/api/blobs/${digest}`, { method: "POST", body: Bun.file(gguf) });
await (
  await fetch(`${url}/api/create`, {
    method: "POST",
    body: JSON.stringify({ model: "b", files: { "m.gguf": digest }, stream: false }),
  })
).text();

const prompt = "The quick brown fox";
const options = { temperature: 0, num_predict: 1, seed: 1 };
async function viaServe(): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(`${url}/api/generate`, {
    method: "POST",
    body: JSON.stringify({ model: "b", prompt, raw: true, stream: false, options }),
  });
  await r.json();
  return performance.now() - t0;
}
for (let i = 0; i < 20; i++) await viaServe();
const served: number[] = [];
for (let i = 0; i < N; i++) served.push(await viaServe());

// The same completion straight to a runner with the same load options.
const runner = new RunnerClient(
  { model: gguf, options: loadOptions({ num_ctx: 4096, num_parallel: 4, num_thread: 2 }), variant: "cpu" },
  { env: new Env() },
);
await runner.waitUntilRunning();
async function direct(): Promise<number> {
  const t0 = performance.now();
  for await (const _ of runner.completion({ prompt, options })) {
  }
  return performance.now() - t0;
}
for (let i = 0; i < 20; i++) await direct();
const raw: number[] = [];
for (let i = 0; i < N; i++) raw.push(await direct());
await runner.close();

// 64 concurrent streams through serve; sample the server's RSS while they run.
let peak = rss();
const sampler = setInterval(() => {
  peak = Math.max(peak, rss());
}, 20);
const t0 = performance.now();
const streams = await Promise.all(
  Array.from({ length: Number(values.streams) }, async (_, i) => {
    const r = await fetch(`${url}/api/generate`, {
      method: "POST",
      body: JSON.stringify({ model: "b", prompt: `stream ${i}`, options: { num_predict: 32, seed: i } }),
    });
    let n = 0;
    for await (const chunk of r.body as ReadableStream<Uint8Array>) n += chunk.length;
    return n;
  }),
);
clearInterval(sampler);
const wall = performance.now() - t0;
server.kill("SIGTERM");
await server.exited;

console.log(`| measure | value |\n|---|---|`);
console.log(
  `| /api/generate via serve, p50 / p90 (ms) | ${percentile(served, 0.5).toFixed(2)} / ${percentile(served, 0.9).toFixed(2)} |`,
);
console.log(
  `| same completion to the runner directly, p50 / p90 (ms) | ${percentile(raw, 0.5).toFixed(2)} / ${percentile(raw, 0.9).toFixed(2)} |`,
);
console.log(`| added by serve, p50 (ms) | ${(percentile(served, 0.5) - percentile(raw, 0.5)).toFixed(2)} |`);
console.log(`| server RSS idle (MB) | ${idleRss.toFixed(1)} |`);
console.log(
  `| server RSS peak, ${streams.length} concurrent streams (MB) | ${peak.toFixed(1)} (all ${streams.filter((n) => n > 0).length} streams answered in ${(wall / 1000).toFixed(1)} s) |`,
);
