/**
 * Cross-model stall: the latency of a small request on model B alone, and while model A processes a large
 * request — a ~1 MiB prompt (tokenized by A's runner) or a 60 MB JSON body (taken in and parsed by serve).
 * Prints p50 and max of B alone and during each, and what the large request adds (target: ≤ 100 ms added).
 * The server runs as its own process (`bun src/main.ts serve`), as users run it.
 * Usage: bun bench/stall.ts [--n 40]
 */
import { parseArgs } from "node:util";
import { synthModel } from "../test/fixtures/models.ts";
import { spawnServe } from "./serve-process.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { n: { type: "string", default: "40" } } });
const N = Number(values.n);

const server = await spawnServe(2);
await server.create("a", await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" }));
await server.create("b", await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" }));
const options = { temperature: 0, num_predict: 1, seed: 1 };

async function post(body: string): Promise<number> {
  const res = await fetch(`${server.url}/api/generate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`generate answered ${res.status}`);
  return res.status;
}

const smallBody = JSON.stringify({ model: "b", prompt: "hi", stream: false, options });
/** One small request on B: its latency in ms. */
async function small(): Promise<number> {
  const t0 = performance.now();
  await post(smallBody);
  return performance.now() - t0;
}

/** Latencies of small requests on B with A idle and while `large` runs on A, taken in alternation. */
interface Samples {
  alone: number[];
  during: number[];
}

/**
 * Alternates: a few small requests on B with A idle, then small requests started while one `large` request
 * runs on A, until there are N of each. Interleaving keeps background load on a shared machine from
 * landing on one side only. Counted by start, so a small request a stalled server held past the large
 * one's end still counts.
 */
async function measure(large: string): Promise<Samples> {
  const s: Samples = { alone: [], during: [] };
  for (let round = 0; round < 4 * N && (s.during.length < N || s.alone.length < N); round++) {
    for (let i = 0; i < 3 && s.alone.length < N; i++) s.alone.push(await small());
    let running = true;
    const big = post(large).finally(() => {
      running = false;
    });
    while (running && s.during.length < N) s.during.push(await small());
    await big;
  }
  return s;
}

await post(JSON.stringify({ model: "a", prompt: "warm", stream: false, options }));
for (let i = 0; i < 5; i++) await small();

const prompt = "the quick brown fox jumps over the lazy dog ".repeat((1 << 20) / 44);
const scenarios: [string, Samples][] = [
  ["A: 1 MiB prompt", await measure(JSON.stringify({ model: "a", prompt, stream: false, options }))],
  ["A: 60 MB body", await measure(`{"model":"a","prompt":"","pad":[${"0,".repeat(30_000_000)}0]}`)],
];
await server.stop();

const fmt = (v: number, w: number) => v.toFixed(1).padStart(w);
console.log("large request on A   n  B alone p50/max ms  B during p50/max ms  added p50  added max");
for (const [name, { alone, during }] of scenarios) {
  const a = { p50: median(alone), max: Math.max(...alone) };
  const d = { p50: median(during), max: Math.max(...during) };
  console.log(
    `${name.padEnd(18)} ${String(during.length).padStart(3)} ${fmt(a.p50, 9)} /${fmt(a.max, 7)}  ${fmt(d.p50, 10)} /${fmt(d.max, 7)}` +
      ` ${fmt(d.p50 - a.p50, 10)} ${fmt(d.max - a.max, 10)}`,
  );
}
