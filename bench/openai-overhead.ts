/**
 * What the OpenAI-compatible layer adds over Ollama's own API for the same work: the same model, prompt
 * and sampling sent to /api/chat and /v1/chat/completions, alternating, `n` times each (after warm-up):
 *  - non-streaming latency (one generated token), p50 and p90;
 *  - streaming time to the first chunk of the body (4 tokens generated, the whole stream read), p50 and p90.
 * The server runs as its own process (`bun src/main.ts serve`), as users run it.
 * Usage: bun bench/openai-overhead.ts [--n 200]
 */
import { parseArgs } from "node:util";
import { synthModel } from "../test/fixtures/models.ts";
import { spawnServe } from "./serve-process.ts";
import { percentile } from "./stats.ts";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { n: { type: "string", default: "200" } } });
const N = Number(values.n);
const gguf = await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" });
const server = await spawnServe(1);
const url = server.url;
await server.create("b", gguf);

const messages = [{ role: "user", content: "The quick brown fox" }];
// The OpenAI layer sends temperature and top_p 1 unless told otherwise; both routes get the same values.
const sampling = { temperature: 0, top_p: 1, seed: 1 };
const post = (path: string, body: unknown) =>
  fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body) });

type Route = "ollama" | "openai";
const request = (route: Route, stream: boolean, tokens: number) =>
  route === "ollama"
    ? post("/api/chat", { model: "b", messages, stream, options: { ...sampling, num_predict: tokens } })
    : post("/v1/chat/completions", { model: "b", messages, stream, max_tokens: tokens, ...sampling });

/** Milliseconds until the whole non-streamed answer is parsed. */
async function whole(route: Route): Promise<number> {
  const t0 = performance.now();
  await (await request(route, false, 1)).json();
  return performance.now() - t0;
}

/** Milliseconds until the first chunk of a streamed body; the rest is read before returning. */
async function firstChunk(route: Route): Promise<number> {
  const t0 = performance.now();
  const r = await request(route, true, 4);
  let first = 0;
  for await (const _ of r.body as ReadableStream<Uint8Array>) if (first === 0) first = performance.now() - t0;
  return first;
}

async function measure(fn: (route: Route) => Promise<number>): Promise<Record<Route, number[]>> {
  for (let i = 0; i < 20; i++) await fn(i % 2 ? "ollama" : "openai");
  const out: Record<Route, number[]> = { ollama: [], openai: [] };
  for (let i = 0; i < N; i++) {
    // Alternate which route goes first so drift (caches, clocks) falls on both equally.
    const order: Route[] = i % 2 ? ["ollama", "openai"] : ["openai", "ollama"];
    for (const route of order) out[route].push(await fn(route));
  }
  return out;
}

const plain = await measure(whole);
const streamed = await measure(firstChunk);
await server.stop();

const row = (what: string, xs: Record<Route, number[]>) => {
  const p = (r: Route, q: number) => percentile(xs[r], q);
  console.log(
    `| ${what} | ${p("ollama", 0.5).toFixed(2)} / ${p("ollama", 0.9).toFixed(2)} | ${p("openai", 0.5).toFixed(2)} / ${p("openai", 0.9).toFixed(2)} | ${(p("openai", 0.5) - p("ollama", 0.5)).toFixed(2)} |`,
  );
};
console.log(`n = ${N} requests per route and measure, alternating\n`);
console.log("| measure (ms) | /api/chat p50 / p90 | /v1/chat/completions p50 / p90 | added, p50 |");
console.log("|---|---|---|---|");
row("non-streaming, 1 token", plain);
row("streaming, time to first chunk", streamed);
