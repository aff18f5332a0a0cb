/**
 * What metrics cost:
 *  - serve overhead: /api/generate (raw prompt, num_predict 1, stream false) and GET /api/tags through a serve
 *    with metrics on against one with TSLLM_METRICS=false, both as their own processes with the same tiny
 *    model, requests alternating between the two so machine noise falls on both sides alike (p50 and p90);
 *  - the observer alone, in-process: µs to count one finished request (a 32-token stream's record);
 *  - GET /metrics with 4 models loaded (4 runners answering their slot state), p50 and p90 of `--scrapes`.
 * Usage: bun bench/metrics-overhead.ts [--n 300] [--scrapes 200]
 */
import { parseArgs } from "node:util";
import { Metrics } from "../src/observe/metrics/index.ts";
import { RequestRecord } from "../src/observe/request-record.ts";
import { synthModel } from "../test/fixtures/models.ts";
import { type ServeProcess, spawnServe } from "./serve-process.ts";
import { percentile } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { n: { type: "string", default: "300" }, scrapes: { type: "string", default: "200" } },
});
const N = Number(values.n);
const SCRAPES = Number(values.scrapes);
const p = (xs: number[], q: number) => percentile(xs, q).toFixed(2);

// 1. Serve overhead, metrics on vs off.
const gguf = await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" });
const on = await spawnServe(1);
const off = await spawnServe(1, { env: { TSLLM_METRICS: "false" } });
await on.create("b", gguf);
await off.create("b", gguf);
const body = JSON.stringify({
  model: "b",
  prompt: "The quick brown fox",
  raw: true,
  stream: false,
  options: { temperature: 0, num_predict: 1, seed: 1 },
});

async function timed(server: ServeProcess, path: string): Promise<number> {
  const t0 = performance.now();
  const r =
    path === "/api/generate"
      ? await fetch(`${server.url}${path}`, { method: "POST", body })
      : await fetch(`${server.url}${path}`);
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  await r.arrayBuffer();
  return performance.now() - t0;
}

const overhead: string[] = [];
for (const path of ["/api/generate", "/api/tags"]) {
  for (let i = 0; i < 30; i++) {
    await timed(off, path);
    await timed(on, path);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < N; i++) {
    a.push(await timed(off, path));
    b.push(await timed(on, path));
  }
  const added = (percentile(b, 0.5) - percentile(a, 0.5)).toFixed(2);
  overhead.push(`| ${path} | ${p(a, 0.5)} / ${p(a, 0.9)} | ${p(b, 0.5)} / ${p(b, 0.9)} | ${added} |`);
}
await on.stop();
await off.stop();

// 2. The observer alone.
const metrics = new Metrics(
  { version: "bench", llamacppVersion: "bench", library: "cpu" },
  { activity: async () => [], devices: async () => [] },
);
const record = () => {
  const r = new RequestRecord("id", "POST", "/api/chat", 0);
  Object.assign(r, { route: "/api/chat", status: 200, model: "m:latest", queueMs: 1, durationMs: 40 });
  for (let t = 1; t <= 32; t++) r.token(t);
  Object.assign(r, { promptTokens: 20, cachedTokens: 10, evalTokens: 32, promptMs: 5, evalMs: 31 });
  return r;
};
const records = Array.from({ length: 50_000 }, record);
let observeUs = Number.POSITIVE_INFINITY;
for (let pass = 0; pass < 5; pass++) {
  // The best of five passes: the first ones include the JIT's warm-up.
  const t0 = performance.now();
  for (const r of records) metrics.observe(r);
  observeUs = Math.min(observeUs, ((performance.now() - t0) * 1000) / records.length);
}

// 3. A scrape with 4 models loaded (four distinct blobs: one runner each).
const four = await spawnServe(1, { env: { TSLLM_MAX_LOADED_MODELS: "4" } });
for (let i = 1; i <= 4; i++) {
  const blob = await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm", seed: i });
  await four.create(`m${i}`, blob);
  const r = await fetch(`${four.url}/api/generate`, {
    method: "POST",
    body: JSON.stringify({ model: `m${i}`, keep_alive: -1 }),
  });
  await r.arrayBuffer();
}
const scrape = async () => {
  const t = performance.now();
  const r = await fetch(`${four.url}/metrics`);
  const text = await r.text();
  if (!text.includes('tsllm_slots{model="m4:latest"}')) throw new Error("model m4 is not loaded");
  return { ms: performance.now() - t, bytes: text.length };
};
for (let i = 0; i < 20; i++) await scrape();
const scrapes: number[] = [];
let bytes = 0;
for (let i = 0; i < SCRAPES; i++) {
  const s = await scrape();
  scrapes.push(s.ms);
  bytes = s.bytes;
}
await four.stop();

console.log(`n = ${N} per side, alternating`);
console.log("| request | TSLLM_METRICS=false p50 / p90 (ms) | metrics on p50 / p90 (ms) | added p50 (ms) |");
console.log("|---|---|---|---|");
for (const r of overhead) console.log(r);
console.log(`\nobserver per finished request (32-token stream record): ${observeUs.toFixed(2)} µs`);
console.log(
  `\nGET /metrics, 4 models loaded: p50 ${p(scrapes, 0.5)} ms, p90 ${p(scrapes, 0.9)} ms (${SCRAPES} scrapes, ${bytes} bytes)`,
);
