/**
 * Rerank throughput: documents scored per second by `tsllm serve` (/v1/rerank) and by llama.cpp's
 * llama-server `--reranking` (/v1/rerank) on the same synthetic reranker (BERT cross-encoder, rank pooling),
 * the same threads, context and parallel sequences; each rep sends the whole list in one request. Also checks
 * that both sides give the same scores (to float tolerance: the anchor is a -march=native build).
 * Usage: bun bench/rerank.ts [--docs 256] [--words 40] [--reps 5] [--threads 2] [--parallel 4]
 *                           [--quant f32] [--anchor native|prebuilt] [--anchor-bin DIR] [--tsllm BIN]
 * --anchor-bin: a llama-server build directory to use instead of building one (--anchor picks the script).
 * --tsllm: a compiled `tsllm` executable to serve with (default: `bun src/main.ts serve` from this checkout).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { rerankModel, synthModel } from "../test/fixtures/models.ts";
import { startAnchor } from "./anchor-server.ts";
import { type ServeProcess, spawnServe } from "./serve-process.ts";
import { lcg, median } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    docs: { type: "string", default: "256" },
    words: { type: "string", default: "40" },
    reps: { type: "string", default: "5" },
    threads: { type: "string", default: "2" },
    parallel: { type: "string", default: "4" },
    quant: { type: "string", default: "f32" },
    anchor: { type: "string", default: "native" },
    "anchor-bin": { type: "string" },
    tsllm: { type: "string" },
  },
});
const nDocs = Number(values.docs);
const nWords = Number(values.words);
const reps = Number(values.reps);
const threads = Number(values.threads);
const parallel = Number(values.parallel);
const CTX = 512; // the reranker's trained context
const model =
  values.quant === "f32"
    ? await rerankModel()
    : await synthModel({ preset: "rerank", quant: values.quant as string, vocab: "bert-bge" });
const anchorScript = (
  { native: "build-anchor.sh", prebuilt: "build-anchor-prebuilt.sh" } as Record<string, string>
)[values.anchor as string];
if (!anchorScript) throw new Error(`--anchor must be native or prebuilt, not ${values.anchor}`);
const anchorBin =
  values["anchor-bin"] ?? (await Bun.$`bash ${import.meta.dir}/${anchorScript}`.text()).trim();

const WORDS =
  "the of capital city river france paris berlin music history science a small large old new museum"
    .split(" ")
    .concat("tower bridge market school garden train station north south east west winter summer".split(" "));
const next = lcg(3);
const text = (n: number) => Array.from({ length: n }, () => WORDS[next() % WORDS.length]).join(" ");
const query = "what is the capital city of france?";
const documents = Array.from({ length: nDocs }, () => text(nWords));

interface Ranked {
  results: { index: number; relevance_score: number }[];
  usage?: { prompt_tokens: number };
}

/** A compiled tsllm serving on a loopback port with its own model store (as spawnServe, without bun). */
async function spawnCompiled(bin: string): Promise<ServeProcess> {
  const root = mkdtempSync(join(tmpdir(), "tsllm-bench-"));
  const port = 30000 + Math.floor(Math.random() * 20000);
  const url = `http://127.0.0.1:${port}`;
  const { BUN_BE_BUN: _, ...env } = process.env; // the binary must run as tsllm, not as bun
  const proc = Bun.spawn([bin, "serve"], {
    env: {
      ...env,
      TSLLM_HOST: `127.0.0.1:${port}`,
      TSLLM_MODELS: join(root, "models"),
      TSLLM_NUM_PARALLEL: String(parallel),
      TSLLM_NUM_THREADS: String(threads),
      TSLLM_LLM_LIBRARY: "cpu",
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(`${url}/api/version`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await Bun.sleep(100);
  }
  return {
    url,
    pid: proc.pid,
    async create(name: string, gguf: string) {
      const bytes = await Bun.file(gguf).bytes();
      const digest = `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;
      await fetch(`${url}/api/blobs/${digest}`, { method: "POST", body: bytes });
      const r = await fetch(`${url}/api/create`, {
        method: "POST",
        body: JSON.stringify({ model: name, files: { "m.gguf": digest }, stream: false }),
      });
      if (!r.ok) throw new Error(`create: ${r.status} ${await r.text()}`);
    },
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function post(url: string, body: unknown): Promise<Ranked> {
  const r = await fetch(`${url}/v1/rerank`, { method: "POST", body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as Ranked;
}

/** Median documents/s over `reps` requests of the whole list (after one warm-up), and the scores. */
async function measure(url: string, modelName: string) {
  const body = { model: modelName, query, documents };
  const first = await post(url, body);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await post(url, body);
    times.push(performance.now() - t0);
  }
  const scores: number[] = [];
  for (const x of first.results) scores[x.index] = x.relevance_score;
  return {
    docsPerSec: nDocs / (median(times) / 1000),
    ms: median(times),
    scores,
    tokens: first.usage?.prompt_tokens,
  };
}

const serve = values.tsllm
  ? await spawnCompiled(values.tsllm)
  : await spawnServe(parallel, { env: { TSLLM_NUM_THREADS: String(threads) } });
let ours: Awaited<ReturnType<typeof measure>>;
try {
  await serve.create("reranker", model);
  ours = await measure(serve.url, "reranker");
} finally {
  await serve.stop();
}
const anchor = await startAnchor(anchorBin, model, {
  ctx: CTX,
  parallel,
  threads,
  batch: CTX,
  extraArgs: ["--reranking"],
});
let theirs: Awaited<ReturnType<typeof measure>>;
try {
  theirs = await measure(anchor.url, "reranker");
} finally {
  await anchor.stop();
}

const maxDiff = Math.max(...ours.scores.map((s, i) => Math.abs(s - (theirs.scores[i] as number))));
console.log(
  `${nDocs} documents of ${nWords} words (${ours.tokens} tokens with the query; llama-server: ${theirs.tokens}), ` +
    `${threads} threads, ${parallel} sequences, ${values.quant}, ${reps} reps`,
);
console.log(
  `tsllm        ${ours.docsPerSec.toFixed(1)} docs/s (median ${ours.ms.toFixed(0)} ms per request)`,
);
console.log(
  `llama-server ${theirs.docsPerSec.toFixed(1)} docs/s (median ${theirs.ms.toFixed(0)} ms per request)`,
);
console.log(`ratio tsllm / llama-server: ${(ours.docsPerSec / theirs.docsPerSec).toFixed(2)}`);
console.log(`largest score difference: ${maxDiff.toExponential(2)}`);
