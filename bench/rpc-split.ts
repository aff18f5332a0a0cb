/**
 * The cost of splitting a model over ggml RPC: decode tokens/s of the 1b synthetic q4_0 model with every layer
 * on 1, 2 or 3 loopback `tsllm rpc-server`s (this host keeps the token embeddings) against a local load, for
 * tsllm (serve, the model pinned per request with options.rpc_servers) and for llama-server `--rpc` on the same
 * servers and the same split (llama.cpp divides the offloaded layers by the servers' free memory on both sides).
 * Decode through a split is a pipeline: one host computes at a time, so every process gets the same threads.
 * Usage: bun bench/rpc-split.ts [--threads 2] [--tokens 64] [--reps 3] [--hosts 1,2,3] [--only tsllm|anchor]
 * The anchor is bench/build-anchor-rpc.sh's llama-server (tsllm's prebuilt libraries and RPC backend).
 */
import { parseArgs } from "node:util";
import { probeRpcServer } from "../src/llama/ffi/rpc-probe.ts";
import { synthModel } from "../test/fixtures/models.ts";
import { freePort, startRpcServer, waitFor } from "../test/rpc/helpers.ts";
import { startAnchor } from "./anchor-server.ts";
import { spawnServe } from "./serve-process.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    threads: { type: "string", default: "2" },
    tokens: { type: "string", default: "64" },
    reps: { type: "string", default: "3" },
    hosts: { type: "string", default: "1,2,3" },
    only: { type: "string", default: "" },
  },
});
const threads = Number(values.threads);
const nGen = Number(values.tokens);
const reps = Number(values.reps);
const hostCounts = [0, ...values.hosts.split(",").map(Number)];
const CTX = 2048;
const PROMPT = "Once upon a time, in a land far away, there lived";
const PROTO = { major: 7, minor: 0, patch: 0 };

const model = await synthModel({ preset: "1b", quant: "q4_0", vocab: "llama-spm" });
const servers = await Promise.all(
  Array.from({ length: Math.max(...hostCounts) }, async () => {
    const port = await freePort();
    return {
      ep: `127.0.0.1:${port}`,
      s: startRpcServer("--port", String(port), "--threads", String(threads)),
    };
  }),
);
for (const { ep } of servers) await waitFor(() => probeRpcServer(ep, PROTO, { timeoutMs: 2000 }), 60000);
const endpoints = servers.map((s) => s.ep);

/** decode t/s per host count, one figure per round. */
const results: Record<string, { tsllm: number[]; anchor: number[] }> = {};
const row = (k: number) => {
  results[k] ??= { tsllm: [], anchor: [] };
  return results[k];
};

type Answer = { error?: string; eval_count: number; eval_duration: number };

/** tsllm's side: serve stays up for the whole run; each measure loads the model over k hosts and unloads it. */
async function tsllmSide() {
  const serve = await spawnServe(1, {
    env: { TSLLM_RPC_SERVERS: endpoints.join(","), TSLLM_NUM_THREADS: String(threads) },
  });
  await serve.create("m", model);
  const post = async (path: string, body: unknown) =>
    (await (
      await fetch(`${serve.url}${path}`, { method: "POST", body: JSON.stringify(body) })
    ).json()) as Answer;
  const ps = async () => {
    const body = (await (await fetch(`${serve.url}/api/ps`)).json()) as {
      models: { split?: { host: string }[] }[];
    };
    return body.models[0];
  };
  return {
    stop: () => serve.stop(),
    async measure(k: number): Promise<number> {
      const options = {
        temperature: 0,
        num_ctx: CTX,
        num_thread: threads,
        rpc_servers: k === 0 ? "none" : endpoints.slice(0, k).join(","),
        num_gpu: k === 0 ? 0 : -1,
      };
      const generate = (n: number) =>
        post("/api/generate", {
          model: "m",
          prompt: PROMPT,
          stream: false,
          options: { ...options, num_predict: n },
        });
      for (let attempt = 0; ; attempt++) {
        const warm = await generate(4); // the load
        if (warm.error) throw new Error(`tsllm, ${k} hosts: ${warm.error}`);
        const hosts = (await ps())?.split?.length ?? 1;
        if (hosts === k + 1) break;
        // A server still busy with the previous client is skipped for a few seconds: unload and retry.
        if (attempt === 2) throw new Error(`tsllm, ${k} hosts: loaded over ${hosts - 1}`);
        await post("/api/generate", { model: "m", keep_alive: 0 });
        await Bun.sleep(6000);
      }
      const g = await generate(nGen);
      await post("/api/generate", { model: "m", keep_alive: 0 });
      await waitFor(async () => ((await ps()) === undefined ? true : undefined));
      return g.eval_count / (g.eval_duration / 1e9);
    },
  };
}

const anchorBin =
  values.only === "tsllm" ? "" : (await Bun.$`bash ${import.meta.dir}/build-anchor-rpc.sh`.text()).trim();

/** llama-server's side: started over k hosts, warmed up, one measured completion, stopped. */
async function measureAnchor(k: number): Promise<number> {
  const rpc = k === 0 ? ["-ngl", "0"] : ["--rpc", endpoints.slice(0, k).join(","), "-ngl", "999"];
  const a = await startAnchor(anchorBin, model, {
    ctx: CTX,
    parallel: 1,
    threads,
    batch: 512,
    extraArgs: rpc,
  });
  try {
    const complete = async (n: number) => {
      const res = await fetch(`${a.url}/completion`, {
        method: "POST",
        body: JSON.stringify({ prompt: PROMPT, n_predict: n, temperature: 0, cache_prompt: false }),
      });
      const body = (await res.json()) as { timings?: { predicted_per_second: number }; error?: unknown };
      if (!body.timings) throw new Error(`llama-server, ${k} hosts: ${JSON.stringify(body)}`);
      return body.timings.predicted_per_second;
    };
    await complete(4); // warm-up
    return await complete(nGen);
  } finally {
    await a.stop();
  }
}

// Rounds alternate the two sides at every host count, so a busy spell of the machine falls on both.
const tsllm = values.only === "anchor" ? null : await tsllmSide();
try {
  for (let r = 0; r < reps; r++)
    for (const k of hostCounts) {
      if (tsllm) row(k).tsllm.push(await tsllm.measure(k));
      if (values.only !== "tsllm") row(k).anchor.push(await measureAnchor(k));
      console.error(
        `round ${r + 1}, ${k} hosts: tsllm ${row(k).tsllm.at(-1)?.toFixed(2)}, llama-server ${row(k).anchor.at(-1)?.toFixed(2)} t/s`,
      );
    }
} finally {
  await tsllm?.stop();
  for (const { s } of servers) s.proc.kill("SIGTERM");
  await Promise.all(servers.map(({ s }) => s.proc.exited));
}

const med = (xs: number[]) => (xs.length ? median(xs) : undefined);
const local = { tsllm: med(row(0).tsllm), anchor: med(row(0).anchor) };
const f = (n?: number) => (n === undefined ? "–" : n.toFixed(2));
const ratio = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(2)}×` : "–");
console.log(`decode t/s, ${nGen} tokens, median of ${reps}, ${threads} threads per process`);
console.log("| RPC hosts | tsllm | vs local | llama-server --rpc | vs local | tsllm / llama-server |");
console.log("|---|---|---|---|---|---|");
for (const k of hostCounts) {
  const r = { tsllm: med(row(k).tsllm), anchor: med(row(k).anchor) };
  console.log(
    `| ${k === 0 ? "none (local)" : k} | ${f(r.tsllm)} | ${ratio(r.tsllm, local.tsllm)} | ${f(r.anchor)} | ${ratio(r.anchor, local.anchor)} | ${ratio(r.tsllm, r.anchor)} |`,
  );
}
