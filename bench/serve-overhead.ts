/**
 * What `serve` adds on top of a runner, and what the server process itself costs:
 *  - latency of /api/generate (num_predict 1, stream false, raw prompt) through serve vs the same completion
 *    sent to the runner directly (p50 and p90 of `n` sequential requests, after warm-up);
 *  - the server process's RSS when idle and at its peak while 64 concurrent streams run.
 * The server runs as its own process (`bun src/main.ts serve`), as users run it.
 * Usage: bun bench/serve-overhead.ts [--n 200] [--streams 64]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { synthModel } from "../test/fixtures/models.ts";
import { directRunner, timedCompletion } from "./direct-runner.ts";
import { spawnServe } from "./serve-process.ts";
import { percentile } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { n: { type: "string", default: "200" }, streams: { type: "string", default: "64" } },
});
const N = Number(values.n);
const gguf = await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" });
const server = await spawnServe(4);
const url = server.url;
const rss = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

await Bun.sleep(500);
const idleRss = rss();
await server.create("b", gguf);

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
const runner = await directRunner(join(import.meta.dir, ".."), gguf, 4);
const direct = () => timedCompletion(runner, prompt, options);
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
await server.stop();

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
