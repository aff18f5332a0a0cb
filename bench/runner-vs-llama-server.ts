/**
 * tsllm's runner vs llama-server (same llama.cpp source, same model, threads and context):
 *  - aggregate generation throughput at 1, 2, 4 and 8 concurrent streams (-np N / num_parallel N),
 *  - time to first token for a 512-token prompt,
 *  - the prompt-cache win: first token of the second turn of a 2,000-token conversation vs the first.
 * Usage: bun bench/runner-vs-llama-server.ts [--threads 2] [--tokens 64] [--streams 1,2,4,8]
 */
import { parseArgs } from "node:util";
import { Env } from "../src/config/env.ts";
import { RunnerClient } from "../src/runner/client.ts";
import { loadOptions } from "../test/runner/helpers.ts";
import { synthModel } from "../test/fixtures/models.ts";
import { anchorCompletion, startAnchor } from "./anchor-server.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    threads: { type: "string", default: "2" },
    tokens: { type: "string", default: "64" },
    streams: { type: "string", default: "1,2,4,8" },
    reps: { type: "string", default: "3" },
  },
});
const threads = Number(values.threads);
const nGen = Number(values.tokens);
const reps = Number(values.reps);
const model = await synthModel({ preset: "1b", quant: "q4_0", vocab: "llama-spm" });
const anchorBin = (await Bun.$`bash ${import.meta.dir}/build-anchor.sh`.text()).trim();
const CTX = 4096;
const EOS = 2;
const sampling = { temperature: 0.8, top_k: 40, top_p: 0.9, seed: 7 };

let seed = 1;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return 100 + (seed % 30000);
};
const tokens = (n: number) => Array.from({ length: n }, rand);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

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
  const s = await startAnchor(anchorBin, model, { ctx: CTX, parallel, threads, batch: 512 });
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

async function throughput(e: Engine, streams: number): Promise<number> {
  const runs: number[] = [];
  for (let k = 0; k < reps; k++) {
    const t0 = performance.now();
    const res = await Promise.all(Array.from({ length: streams }, () => e.complete(tokens(16), nGen)));
    runs.push(res.reduce((a, r) => a + r.n, 0) / ((performance.now() - t0) / 1000));
  }
  return median(runs);
}

async function ttft512(e: Engine): Promise<number> {
  await e.complete(tokens(512), 1); // warm-up
  const xs: number[] = [];
  for (let k = 0; k < reps; k++) xs.push((await e.complete(tokens(512), 1)).ttftMs);
  return median(xs);
}

async function cacheWin(e: Engine): Promise<{ first: number; second: number }> {
  const history = tokens(2000);
  const first = await e.complete(history, 1);
  const second = await e.complete([...history, ...tokens(24)], 1);
  return { first: first.ttftMs, second: second.ttftMs };
}

const rows: string[] = [];
for (const n of values.streams.split(",").map(Number)) {
  const a = await anchor(n);
  const at = await throughput(a, n);
  const attft = n === 1 ? await ttft512(a) : 0;
  await a.stop();
  const o = await ours(n);
  const ot = await throughput(o, n);
  const ottft = n === 1 ? await ttft512(o) : 0;
  const win = n === 1 ? await cacheWin(o) : null;
  await o.stop();
  rows.push(`| ${n} | ${ot.toFixed(2)} | ${at.toFixed(2)} | ${(ot / at).toFixed(3)} |`);
  if (n === 1) {
    rows.push(
      `|  | TTFT 512-token prompt: tsllm ${ottft.toFixed(0)} ms, llama-server ${attft.toFixed(0)} ms, ratio ${(ottft / attft).toFixed(3)} | | |`,
    );
    rows.push(
      `|  | 2,000-token conversation: first turn ${win?.first.toFixed(0)} ms, second turn ${win?.second.toFixed(0)} ms, ${((win?.first ?? 0) / (win?.second ?? 1)).toFixed(1)}× faster | | |`,
    );
  }
  console.error(rows.at(-1));
}
console.log(
  `| streams | tsllm runner (gen t/s) | llama-server (gen t/s) | ratio |\n|---|---|---|---|\n${rows.join("\n")}`,
);
