/**
 * Speculative decoding: generation speed with a draft model and with n-gram (prompt-lookup) drafting against
 * plain decoding, in tsllm's runner and in llama-server (same llama.cpp source) on the same models.
 *  - draft model: the synthetic 1b model in f16 as target, its own q4_0 quantisation (same seed) as draft;
 *  - n-gram: the f16 target alone on a repeat-the-input prompt (a text, then "repeat it").
 * One stream, greedy, the same draft limits on both sides (n_max 16 by default; llama-server's n-gram lookup
 * set to ours: a 3-token key, up to n_max tokens copied). Reports eval tokens/s (each side's own timings),
 * the speed-up over plain decoding, and the acceptance rate (accepted / proposed draft tokens).
 * Usage: bun bench/speculative.ts [--threads 2] [--tokens 128] [--reps 3] [--n-max 16] [--anchor native|prebuilt|rpc]
 *                                 [--sides tsllm,llama-server] [--gpu --variant cuda] (all layers offloaded)
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
    anchor: { type: "string", default: "native" },
    gpu: { type: "boolean", default: false },
    variant: { type: "string", default: "cpu" },
    sides: { type: "string", default: "tsllm,llama-server" },
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
  const once = async (prompt: string, sp: Speculative): Promise<Run> => {
    const req: CompletionRequest = {
      prompt,
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
  const once = async (prompt: string): Promise<Run> => {
    const res = await fetch(`${a.url}/completion`, {
      method: "POST",
      body: JSON.stringify({ prompt, n_predict: nGen, temperature: 0, top_k: 1, cache_prompt: false }),
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

async function measure(side: { once: (p: string) => Promise<Run> }, prompt: string): Promise<Run> {
  await side.once(prompt); // warm-up
  const runs: Run[] = [];
  for (let i = 0; i < reps; i++) runs.push(await side.once(prompt));
  return {
    tps: median(runs.map((r) => r.tps)),
    n: runs.reduce((n, r) => n + r.n, 0),
    ms: runs.reduce((n, r) => n + r.ms, 0),
    proposed: runs.reduce((n, r) => n + r.proposed, 0),
    accepted: runs.reduce((n, r) => n + r.accepted, 0),
  };
}

const sides = new Set(values.sides.split(","));
const rows: string[] = [];
const row = (side: string, mode: string, prompt: string, r: Run, base: Run) => {
  const rate = r.proposed ? `${((100 * r.accepted) / r.proposed).toFixed(1)}%` : "-";
  const line = `| ${side} | ${mode} | ${prompt} | ${r.tps.toFixed(2)} | ${(r.tps / base.tps).toFixed(2)}x | ${rate} (${r.accepted}/${r.proposed}) | ${r.n} in ${(r.ms / 1000).toFixed(1)} s |`;
  rows.push(line);
  console.log(line);
};

console.log(
  `1b f16 target, 1b q4_0 draft, ${threads} threads, ${nGen} tokens, n_max ${nMax}, median of ${reps}`,
);
if (sides.has("tsllm")) {
  const plain = await ours(false);
  const base = { free: await measure({ once: (p) => plain.once(p, { type: "off" }) }, PROMPTS.free) };
  const baseRepeat = await measure({ once: (p) => plain.once(p, { type: "off" }) }, PROMPTS.repeat);
  row("tsllm", "plain", "free", base.free, base.free);
  row("tsllm", "plain", "repeat", baseRepeat, baseRepeat);
  row(
    "tsllm",
    "ngram",
    "repeat",
    await measure({ once: (p) => plain.once(p, { type: "ngram", n_max: nMax }) }, PROMPTS.repeat),
    baseRepeat,
  );
  await plain.close();
  const spec = await ours(true);
  row(
    "tsllm",
    "draft q4_0",
    "free",
    await measure({ once: (p) => spec.once(p, { type: "model", n_max: nMax }) }, PROMPTS.free),
    base.free,
  );
  row(
    "tsllm",
    "draft q4_0",
    "repeat",
    await measure({ once: (p) => spec.once(p, { type: "model", n_max: nMax }) }, PROMPTS.repeat),
    baseRepeat,
  );
  await spec.close();
}
if (sides.has("llama-server")) {
  const plain = await anchor([]);
  const base = await measure(plain, PROMPTS.free);
  const baseRepeat = await measure(plain, PROMPTS.repeat);
  row("llama-server", "plain", "free", base, base);
  row("llama-server", "plain", "repeat", baseRepeat, baseRepeat);
  await plain.close();
  const ngram = await anchor([
    "--spec-type",
    "ngram-simple",
    "--spec-ngram-simple-size-n",
    "3",
    "--spec-ngram-simple-size-m",
    String(nMax),
  ]);
  row("llama-server", "ngram", "repeat", await measure(ngram, PROMPTS.repeat), baseRepeat);
  await ngram.close();
  const spec = await anchor([
    "--model-draft",
    draft,
    "--spec-type",
    "draft-simple",
    "--spec-draft-n-max",
    String(nMax),
    ...(values.gpu ? ["-ngld", "999"] : ["-ngld", "0"]),
  ]);
  row("llama-server", "draft q4_0", "free", await measure(spec, PROMPTS.free), base);
  row("llama-server", "draft q4_0", "repeat", await measure(spec, PROMPTS.repeat), baseRepeat);
  await spec.close();
}
console.log(
  "\n| side | drafting | prompt | eval tok/s | vs plain | accepted | generated |\n|---|---|---|---|---|---|---|",
);
console.log(rows.join("\n"));
