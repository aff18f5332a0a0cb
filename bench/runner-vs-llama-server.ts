/**
 * tsllm's runner vs llama-server (same llama.cpp source, same model, threads and context):
 *  - aggregate generation throughput at 1, 2, 4 and 8 concurrent streams (-np N / num_parallel N),
 *  - time to first token for a 512-token prompt,
 *  - the prompt-cache win: first token of the second turn of a 2,000-token conversation vs the first.
 * Usage: bun bench/runner-vs-llama-server.ts [--threads 2] [--tokens 128] [--streams 1,2,4,8] [--reps 5]
 *                                             [--anchor native|prebuilt] [--anchor-args="--poll 100"]
 * --anchor native (default): llama-server built with -march=native (bench/build-anchor.sh).
 * --anchor prebuilt: llama-server on the very libllama/libggml binaries tsllm ships (bench/build-anchor-prebuilt.sh),
 *   so both sides run identical kernels and the comparison is runner against runner.
 */
import { parseArgs } from "node:util";
import { Env } from "../src/config/env.ts";
import { RunnerClient } from "../src/runner/client.ts";
import { loadOptions } from "../test/runner/helpers.ts";
import { synthModel } from "../test/fixtures/models.ts";
import { anchorCompletion, startAnchor } from "./anchor-server.ts";
import { lcg, median } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    threads: { type: "string", default: "2" },
    tokens: { type: "string", default: "128" },
    streams: { type: "string", default: "1,2,4,8" },
    reps: { type: "string", default: "5" },
    anchor: { type: "string", default: "native" },
    "anchor-args": { type: "string", default: "" },
  },
});
const threads = Number(values.threads);
const nGen = Number(values.tokens);
const reps = Number(values.reps);
const model = await synthModel({ preset: "1b", quant: "q4_0", vocab: "llama-spm" });
const anchorScript = (
  { native: "build-anchor.sh", prebuilt: "build-anchor-prebuilt.sh" } as Record<string, string>
)[values.anchor];
if (!anchorScript) throw new Error(`--anchor must be native or prebuilt, not ${values.anchor}`);
const anchorBin = (await Bun.$`bash ${import.meta.dir}/${anchorScript}`.text()).trim();
const CTX = 4096;
const EOS = 2;
const sampling = { temperature: 0.8, top_k: 40, top_p: 0.9, seed: 7 };

const next = lcg(1);
const tokens = (n: number) => Array.from({ length: n }, () => 100 + (next() % 30000));

async function ours(parallel: number) {
  const r = new RunnerClient(
    {
      model,
      options: loadOptions({ num_ctx: CTX, num_parallel: parallel, num_thread: threads, num_batch: 512 }),
      variant: "cpu",
    },
    { env: new Env() },
  );
  await r.waitUntilRunning();
  const complete = async (prompt: number[], n: number) => {
    const t0 = performance.now();
    let ttft = 0;
    let got = 0;
    for await (const c of r.completion({
      prompt,
      options: { ...sampling, num_predict: n },
      logit_bias: { [EOS]: -1e9 },
    })) {
      if (!ttft) ttft = performance.now() - t0;
      if (c.done) got = c.timings.predicted_n;
    }
    return { ttftMs: ttft, n: got };
  };
  return { complete, stop: () => r.close() };
}

async function anchor(parallel: number) {
  const extraArgs = values["anchor-args"].split(" ").filter(Boolean);
  const s = await startAnchor(anchorBin, model, { ctx: CTX, parallel, threads, batch: 512, extraArgs });
  const complete = (prompt: number[], n: number) =>
    anchorCompletion(s.url, prompt, {
      n_predict: n,
      ...sampling,
      logit_bias: [[EOS, false]],
      cache_prompt: true,
    });
  return { complete, stop: () => s.stop() };
}

type Engine = Awaited<ReturnType<typeof ours>>;

/** Aggregate generated tokens per second of `streams` concurrent completions. */
async function throughput(e: Engine, streams: number): Promise<number> {
  const t0 = performance.now();
  const res = await Promise.all(Array.from({ length: streams }, () => e.complete(tokens(16), nGen)));
  return res.reduce((a, r) => a + r.n, 0) / ((performance.now() - t0) / 1000);
}

async function cacheWin(e: Engine): Promise<{ first: number; second: number }> {
  const history = tokens(2000);
  const first = await e.complete(history, 1);
  const second = await e.complete([...history, ...tokens(24)], 1);
  return { first: first.ttftMs, second: second.ttftMs };
}

/** Runs `f` on both engines alternately `reps` times (machine noise then hits both alike); medians. */
async function alternate(a: Engine, o: Engine, f: (e: Engine) => Promise<number>): Promise<[number, number]> {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let k = 0; k < reps; k++) {
    ys.push(await f(a));
    xs.push(await f(o));
  }
  return [median(xs), median(ys)];
}

const rows: string[] = [];
for (const n of values.streams.split(",").map(Number)) {
  const a = await anchor(n);
  const o = await ours(n);
  await throughput(a, n); // warm-up both
  await throughput(o, n);
  const [ot, at] = await alternate(a, o, (e) => throughput(e, n));
  rows.push(`| ${n} | ${ot.toFixed(2)} | ${at.toFixed(2)} | ${(ot / at).toFixed(3)} |`);
  console.error(rows.at(-1));
  if (n === 1) {
    const [ottft, attft] = await alternate(a, o, (e) => e.complete(tokens(512), 1).then((r) => r.ttftMs));
    const win = await cacheWin(o);
    rows.push(
      `|  | TTFT 512-token prompt: tsllm ${ottft.toFixed(0)} ms, llama-server ${attft.toFixed(0)} ms, ratio ${(ottft / attft).toFixed(3)} | | |`,
    );
    rows.push(
      `|  | 2,000-token conversation: first turn ${win.first.toFixed(0)} ms, second turn ${win.second.toFixed(0)} ms, ${(win.first / win.second).toFixed(1)}× faster | | |`,
    );
  }
  await a.stop();
  await o.stop();
}
console.log(
  `| streams | tsllm runner (gen t/s) | llama-server (gen t/s) | ratio |\n|---|---|---|---|\n${rows.join("\n")}`,
);
