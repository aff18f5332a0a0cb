/**
 * Speculative decoding: generation speed with a draft model and with n-gram (prompt-lookup) drafting against
 * plain decoding, in tsllm's runner and in llama-server (same llama.cpp source) on the same models.
 *  - draft model: the synthetic 1b model in f16 as target, its own q4_0 quantisation (same seed) as draft;
 *  - n-gram: the f16 target alone on a repeat-the-input prompt (a text, then "repeat it").
 * One stream, greedy, the same draft limits on both sides (n_max 16 by default; llama-server's n-gram lookup
 * set to ours: a 3-token key, up to n_max tokens copied). Reports eval tokens/s (each side's own timings),
 * the speed-up over plain decoding, and the acceptance rate (accepted / proposed draft tokens). Every server is
 * started first and the reps go round all cases in turn. --anchor prebuilt (default) runs llama-server on the
 * libllama/libggml binaries tsllm ships (same kernels on both sides); native is a -march=native build.
 * Usage: bun bench/speculative.ts [--threads 2] [--tokens 128] [--reps 3] [--n-max 16] [--anchor prebuilt|native|rpc]
 *                                 [--sides tsllm,llama-server] [--gpu --variant cuda] (all layers offloaded)
 *                                 [--no-draft] (plain and n-gram rows only: no draft model loaded)
 */
import { parseArgs } from "node:util";
import { Env } from "../src/config/env.ts";
import { RunnerClient } from "../src/runner/client.ts";
import type { CompletionRequest, Speculative } from "../src/runner/protocol.ts";
import { synthModel } from "../test/fixtures/models.ts";
import { loadOptions } from "../test/runner/helpers.ts";
import { startAnchor } from "./anchor-server.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    threads: { type: "string", default: "2" },
    tokens: { type: "string", default: "128" },
    reps: { type: "string", default: "3" },
    "n-max": { type: "string", default: "16" },
    anchor: { type: "string", default: "prebuilt" },
    gpu: { type: "boolean", default: false },
    variant: { type: "string", default: "cpu" },
    sides: { type: "string", default: "tsllm,llama-server" },
    "no-draft": { type: "boolean", default: false },
  },
});
const threads = Number(values.threads);
const nGen = Number(values.tokens);
const reps = Number(values.reps);
const nMax = Number(values["n-max"]);
const CTX = 4096;

const target = await synthModel({ preset: "1b", quant: "f16", vocab: "llama-spm" });
const draft = await synthModel({ preset: "1b", quant: "q4_0", vocab: "llama-spm" });

const STORY =
  "The old lighthouse keeper climbed the spiral stairs every evening at dusk, carrying a lantern, a flask of " +
  "tea and a notebook in which he wrote down the ships he saw, the colour of the sea and the direction of the wind.";
/** The two workloads: free generation (draft model) and copying the input back (n-gram). */
const PROMPTS = {
  free: "Once upon a time, in a small village by the sea,",
  repeat: `Text: ${STORY}\nRepeat the text above exactly.\nText: ${STORY}\nRepeat the text above exactly.\nText:`,
};
type Workload = keyof typeof PROMPTS;

interface Run {
  tps: number;
  /** Tokens generated and the generation time (ms) of the measured runs, summed. */
  n: number;
  ms: number;
  proposed: number;
  accepted: number;
}

async function ours(withDraft: boolean) {
  const r = new RunnerClient(
    {
      model: target,
      options: loadOptions({
        num_ctx: CTX,
        num_parallel: 1,
        num_thread: threads,
        num_gpu: values.gpu ? -1 : 0,
        ...(withDraft ? { draft_model: draft } : {}),
      }),
      variant: values.variant,
    },
    { env: new Env() },
  );
  await r.waitUntilRunning();
  const once = async (w: Workload, sp: Speculative): Promise<Run> => {
    const req: CompletionRequest = {
      prompt: PROMPTS[w],
      options: { temperature: 0, repeat_penalty: 1, num_predict: nGen },
      speculative: sp,
    };
    for await (const c of r.completion(req)) {
      if (!c.done) continue;
      const t = c.timings;
      return {
        tps: (t.predicted_n / t.predicted_ms) * 1000,
        n: t.predicted_n,
        ms: t.predicted_ms,
        proposed: t.draft_n ?? 0,
        accepted: t.draft_n_accepted ?? 0,
      };
    }
    throw new Error("no final record");
  };
  return { once, close: () => r.close() };
}

async function anchor(extra: string[]) {
  // native: -march=native build (bench/build-anchor.sh); prebuilt or rpc: built on tsllm's own libllama/libggml
  // binaries (bench/build-anchor-prebuilt.sh, bench/build-anchor-rpc.sh), so both sides run the same kernels.
  const script = {
    native: "build-anchor.sh",
    prebuilt: "build-anchor-prebuilt.sh",
    rpc: "build-anchor-rpc.sh",
  }[values.anchor as "native"];
  if (!script) throw new Error(`--anchor must be native, prebuilt or rpc, not ${values.anchor}`);
  const bin = (await Bun.$`bash ${import.meta.dir}/${script}`.text()).trim();
  const a = await startAnchor(bin, target, {
    ctx: CTX,
    parallel: 1,
    threads,
    batch: 512,
    extraArgs: [...(values.gpu ? ["-ngl", "999"] : ["-ngl", "0"]), ...extra],
  });
  const once = async (w: Workload): Promise<Run> => {
    const res = await fetch(`${a.url}/completion`, {
      method: "POST",
      body: JSON.stringify({
        prompt: PROMPTS[w],
        n_predict: nGen,
        temperature: 0,
        top_k: 1,
        cache_prompt: false,
      }),
    });
    const t = ((await res.json()) as { timings: Record<string, number> }).timings;
    return {
      tps: t.predicted_per_second ?? 0,
      n: t.predicted_n ?? 0,
      ms: t.predicted_ms ?? 0,
      proposed: t.draft_n ?? 0,
      accepted: t.draft_n_accepted ?? 0,
    };
  };
  return { once, close: () => a.stop() };
}

/** One measured configuration: a side, its drafting, a workload, and the plain row it is compared with. */
interface Case {
  side: string;
  mode: string;
  w: Workload;
  once: () => Promise<Run>;
  base?: Case;
  runs: Run[];
}

const sides = new Set(values.sides.split(","));
const cases: Case[] = [];
const add = (side: string, mode: string, w: Workload, once: () => Promise<Run>, base?: Case): Case => {
  const c: Case = { side, mode, w, once, runs: [], ...(base ? { base } : {}) };
  cases.push(c);
  return c;
};
const closers: (() => Promise<void>)[] = [];
const WORKLOADS: Workload[] = ["free", "repeat"];
const drafts = !values["no-draft"];
if (sides.has("tsllm")) {
  const plain = await ours(false);
  const spec = drafts ? await ours(true) : null;
  closers.push(plain.close, ...(spec ? [spec.close] : []));
  for (const w of WORKLOADS) {
    const base = add("tsllm", "plain", w, () => plain.once(w, { type: "off" }));
    if (w === "repeat") add("tsllm", "ngram", w, () => plain.once(w, { type: "ngram", n_max: nMax }), base);
    if (spec) add("tsllm", "draft q4_0", w, () => spec.once(w, { type: "model", n_max: nMax }), base);
  }
}
if (sides.has("llama-server")) {
  const plain = await anchor([]);
  const ngram = await anchor([
    "--spec-type",
    "ngram-simple",
    "--spec-ngram-simple-size-n",
    "3",
    "--spec-ngram-simple-size-m",
    String(nMax),
  ]);
  const spec = drafts
    ? await anchor([
        "--model-draft",
        draft,
        "--spec-type",
        "draft-simple",
        "--spec-draft-n-max",
        String(nMax),
        ...(values.gpu ? ["-ngld", "999"] : ["-ngld", "0"]),
      ])
    : null;
  closers.push(plain.close, ngram.close, ...(spec ? [spec.close] : []));
  for (const w of WORKLOADS) {
    const base = add("llama-server", "plain", w, () => plain.once(w));
    if (w === "repeat") add("llama-server", "ngram", w, () => ngram.once(w), base);
    if (spec) add("llama-server", "draft q4_0", w, () => spec.once(w), base);
  }
}

console.log(
  `1b f16 target, 1b q4_0 draft, ${threads} threads, ${nGen} tokens, n_max ${nMax}, median of ${reps}`,
);
try {
  for (const c of cases) await c.once(); // warm-up
  // Each rep runs every case once, in turn, so a busy spell of the machine falls on all of them alike.
  for (let i = 0; i < reps; i++)
    for (const c of cases) {
      c.runs.push(await c.once());
      const r = c.runs.at(-1) as Run;
      console.error(`rep ${i + 1} ${c.side} ${c.mode} ${c.w}: ${r.tps.toFixed(2)} tok/s`);
    }
} finally {
  for (const close of closers) await close();
}

const summary = (c: Case) => ({
  tps: median(c.runs.map((r) => r.tps)),
  n: c.runs.reduce((n, r) => n + r.n, 0),
  ms: c.runs.reduce((n, r) => n + r.ms, 0),
  proposed: c.runs.reduce((n, r) => n + r.proposed, 0),
  accepted: c.runs.reduce((n, r) => n + r.accepted, 0),
});
const other = (c: Case) => cases.find((o) => o.side !== c.side && o.mode === c.mode && o.w === c.w);
console.log(
  "\n| side | drafting | prompt | eval tok/s | vs plain | accepted | generated | vs the other side |\n|---|---|---|---|---|---|---|---|",
);
for (const c of cases) {
  const r = summary(c);
  const base = summary(c.base ?? c);
  const rate = r.proposed ? `${((100 * r.accepted) / r.proposed).toFixed(1)}%` : "-";
  const o = other(c);
  const vs = o ? `${(r.tps / summary(o).tps).toFixed(2)}x` : "-";
  console.log(
    `| ${c.side} | ${c.mode} | ${c.w} | ${r.tps.toFixed(2)} | ${(r.tps / base.tps).toFixed(2)}x | ${rate} (${r.accepted}/${r.proposed}) | ${r.n} in ${(r.ms / 1000).toFixed(1)} s | ${vs} |`,
  );
}
