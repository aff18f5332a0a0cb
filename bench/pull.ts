/**
 * Pull throughput against a loopback docker-registry (distribution 2.8): `tsllm pull` (parallel Range parts,
 * sha256 verified, manifest written) against `curl` fetching the same blobs to disk, one after the other, with
 * nothing verified — and, for reference, curl followed by `sha256sum`. The sides alternate, each rep starting
 * with none of the model's blobs; medians are reported with the throughput ratio tsllm / curl (target ≥ 0.9).
 * CPU seconds per GB are reported too (curl's own, the registry's, and serve's threads: its main thread, the
 * download's hash worker and transfer worker, the rest), since on a shared machine throughput follows CPU.
 * Then the resume measure: serve is SIGKILLed halfway through a pull (through a counting proxy, no pause),
 * restarted on the same store, and the pull run again; it reports the bytes sent twice.
 * Each rep's pull runs on a fresh serve with a fresh store, as each curl rep writes into a fresh directory
 * (`--serve shared`: one serve for every rep, as a daemon runs, the model deleted through the API after each;
 * docs/BENCHMARKS.md has both).
 * Needs docker-registry (/usr/bin, or the binary TSLLM_TEST_REGISTRY_BIN names) and curl. The model is the
 * synthetic `1b` preset (f16 by default: 1.7 GB), or with --random-mb N a model layer of N MB of random bytes
 * (no GGUF synthesis; a pull never parses the layer).
 * Usage: bun bench/pull.ts [--reps 3] [--quant f16] [--random-mb 1200] [--parts 8] [--serve fresh|shared]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { waitFor } from "../test/faults/serve-process.ts";
import { synthModel } from "../test/fixtures/models.ts";
import { randomBytes } from "../test/registry/harness/big-model.ts";
import { registryAvailable, startRegistry } from "../test/registry/harness/docker-registry.ts";
import { startFrontProxy } from "../test/registry/harness/front-proxy.ts";
import { seedModel } from "../test/registry/harness/seed.ts";
import { pull, type RegistryServe, startServe, storedBlob } from "../test/registry/harness/serve.ts";
import { processCpu, sampleThreads } from "./proc-cpu.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    reps: { type: "string", default: "3" },
    quant: { type: "string", default: "f16" },
    parts: { type: "string", default: "8" },
    "random-mb": { type: "string" },
    serve: { type: "string", default: "fresh" },
  },
});
const FRESH_SERVE = values.serve !== "shared";
const REPS = Number(values.reps);
const MB = 1e6;
if (!registryAvailable() || Bun.which("curl") === null) {
  console.error("bench/pull.ts needs docker-registry (or TSLLM_TEST_REGISTRY_BIN) and curl");
  process.exit(1);
}

const randomMb = values["random-mb"] === undefined ? undefined : Number(values["random-mb"]);
const gguf =
  randomMb === undefined
    ? await synthModel({ preset: "1b", quant: values.quant as string, vocab: "llama-spm" })
    : `${randomMb} MB of random bytes`;
const weights = randomMb === undefined ? await Bun.file(gguf).bytes() : randomBytes(randomMb * MB);
const reg = await startRegistry();
try {
  const seeded = await seedModel(reg.url, "bench/m", "1", [
    { mediaType: "application/vnd.ollama.image.model", bytes: weights },
    {
      mediaType: "application/vnd.ollama.image.params",
      bytes: new TextEncoder().encode('{"temperature":0}'),
    },
  ]);
  const blobs = [seeded.config, ...seeded.layers.map((l) => l.digest)];
  const total = seeded.layers.reduce((n, l) => n + l.size, 0) + seeded.manifest.length;
  const env = { TSLLM_DOWNLOAD_PARTS: values.parts as string };
  console.log(
    `model: ${gguf} (${(total / MB).toFixed(0)} MB in ${blobs.length} blobs), parts ${values.parts}`,
  );

  /**
   * Each side starts from the same page cache: the previous side's files (deleted when it ended; curl leaves
   * its gigabyte dirty) are written back and, where this process may (root), the cache is dropped. Without
   * it, whichever side came after another wrote into a cache full of the last one's pages and its writes cost
   * it up to four times the CPU (direct reclaim), curl's and tsllm's alike. The registry's files are then
   * read back in, so its side stays a read from memory.
   */
  const quiesce = () => {
    Bun.spawnSync(["sync"]);
    try {
      writeFileSync("/proc/sys/vm/drop_caches", "3");
    } catch {
      return; // Not root: the sync alone.
    }
    Bun.spawnSync(["sh", "-c", 'find "$0" -type f -exec cat {} + > /dev/null', reg.storageDir]);
  };
  /** CPU seconds per GB moved, per side and part (medians over the reps). */
  const cpu: Record<string, number[]> = {};
  const noteCpu = (key: string, seconds: number) => (cpu[key] ??= []).push(seconds / (total / 1e9));

  async function timeCurl(verify: boolean): Promise<number> {
    const dir = mkdtempSync(join(tmpdir(), "tsllm-bench-curl-"));
    try {
      const reg0 = processCpu(reg.pid);
      let own = 0;
      const t0 = performance.now();
      for (const [i, d] of blobs.entries()) {
        const out = join(dir, String(i));
        const c = Bun.spawnSync(["curl", "-sSf", "-o", out, `${reg.url}/v2/bench/m/blobs/${d}`]);
        if (c.exitCode !== 0) throw new Error(`curl: ${c.stderr.toString()}`);
        own += Number(c.resourceUsage.cpuTime.total) / 1e6;
        if (verify && Bun.spawnSync(["sha256sum", out]).exitCode !== 0) throw new Error("sha256sum failed");
      }
      const s = (performance.now() - t0) / 1000;
      if (!verify) {
        noteCpu("curl", own);
        noteCpu("registry (curl)", processCpu(reg.pid) - reg0);
      }
      return s;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  let shared: RegistryServe | undefined;
  /** The serve for the next rep (its store holds none of the model's blobs). */
  async function tsllmServe(): Promise<RegistryServe> {
    if (FRESH_SERVE || !shared) {
      const serve = await startServe(undefined, env);
      if (!FRESH_SERVE) shared = serve;
      return serve;
    }
    return shared;
  }

  /**
   * Ends a rep's tsllm side as curl's ends (its files deleted right away): a fresh serve stops (its store goes
   * with it), the shared one deletes the model through the API.
   */
  async function endTsllm(serve: RegistryServe): Promise<void> {
    if (FRESH_SERVE) return serve.stop();
    const res = await fetch(`${serve.url}/api/delete`, {
      method: "DELETE",
      body: JSON.stringify({ model: `${reg.host}/bench/m:1` }),
    });
    if (res.status !== 200) throw new Error(`delete: ${res.status} ${await res.text()}`);
    if (blobs.some((d) => storedBlob(serve.models, d))) throw new Error("delete left blobs behind");
  }

  async function timeTsllm(serve: RegistryServe): Promise<number> {
    try {
      const reg0 = processCpu(reg.pid);
      // Sampled seldom: the sampling runs on the cores the pull uses (every 20 ms it took ~5% of one), and the
      // download's workers are pooled, so none of them ends before the last sample.
      const threads = sampleThreads(serve.proc.pid, 250);
      const t0 = performance.now();
      const r = await pull(serve.url, `${reg.host}/bench/m:1`, { stream: false });
      const s = (performance.now() - t0) / 1000;
      const used = threads.stop();
      if (r.status !== 200 || r.lines.at(-1)?.status !== "success") throw new Error(JSON.stringify(r.lines));
      noteCpu("registry (tsllm)", processCpu(reg.pid) - reg0);
      // The download's workers go by their thread names.
      const named = (name: string) =>
        [...used].filter(([, v]) => v.name === name).reduce((n, [, v]) => n + v.cpu, 0);
      const mine = new Set(["tsllm-hash", "tsllm-transfer"]);
      const other = [...used].filter(([tid, v]) => tid !== serve.proc.pid && !mine.has(v.name));
      noteCpu("tsllm: serve's main thread", used.get(serve.proc.pid)?.cpu ?? 0);
      noteCpu("tsllm: hash worker", named("tsllm-hash"));
      noteCpu("tsllm: transfer worker", named("tsllm-transfer"));
      noteCpu(
        "tsllm: other threads",
        other.reduce((n, [, v]) => n + v.cpu, 0),
      );
      noteCpu(
        "tsllm: all",
        [...used.values()].reduce((n, v) => n + v.cpu, 0),
      );
      return s;
    } finally {
      await endTsllm(serve);
    }
  }

  const curlS: number[] = [];
  const curlSumS: number[] = [];
  const tsllmS: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    // Alternate who goes first, so slow phases of a shared machine fall on both sides.
    const order = rep % 2 === 0 ? ["curl", "tsllm", "curl+sum"] : ["tsllm", "curl+sum", "curl"];
    for (const side of order) {
      const serve = side === "tsllm" ? await tsllmServe() : undefined;
      quiesce();
      const s = serve ? await timeTsllm(serve) : await timeCurl(side === "curl+sum");
      (side === "tsllm" ? tsllmS : side === "curl" ? curlS : curlSumS).push(s);
      console.log(`rep ${rep + 1} ${side}: ${s.toFixed(2)} s, ${(total / MB / s).toFixed(0)} MB/s`);
    }
  }
  const rate = (s: number) => total / MB / s;
  const [c, cs, t] = [median(curlS), median(curlSumS), median(tsllmS)];
  await shared?.stop();
  console.log(`\ntsllm: ${FRESH_SERVE ? "a fresh serve per rep" : "one serve for every rep"}`);
  console.log("| side | median time | throughput |\n|---|---|---|");
  console.log(`| curl, blobs to disk | ${c.toFixed(2)} s | ${rate(c).toFixed(0)} MB/s |`);
  console.log(`| curl + sha256sum | ${cs.toFixed(2)} s | ${rate(cs).toFixed(0)} MB/s |`);
  console.log(`| tsllm pull (verified, manifest written) | ${t.toFixed(2)} s | ${rate(t).toFixed(0)} MB/s |`);
  console.log(
    `ratio tsllm / curl: ${(c / t).toFixed(2)}; tsllm / (curl + sha256sum): ${(cs / t).toFixed(2)}`,
  );
  console.log("\n| CPU per GB (median) | seconds |\n|---|---|");
  for (const [k, v] of Object.entries(cpu)) console.log(`| ${k} | ${median(v).toFixed(2)} |`);

  // Resume: kill -9 halfway, with no pause, then pull again on the same store.
  const proxy = await startFrontProxy(reg.url, { mode: "pass" });
  const root = mkdtempSync(join(tmpdir(), "tsllm-bench-resume-"));
  const models = join(root, "models");
  const big = seeded.layers[0] as { digest: string; size: number };
  const saved = () => {
    try {
      const path = join(models, "blobs", `${big.digest.replace(":", "-")}-partial.state`);
      const state = JSON.parse(readFileSync(path, "utf8")) as { parts: { done: number }[] };
      return state.parts.reduce((n, p) => n + p.done, 0);
    } catch {
      return 0;
    }
  };
  let serve: RegistryServe = await startServe(models, env);
  const name = `${proxy.host}/bench/m:1`;
  const first = pull(serve.url, name).catch(() => undefined);
  await waitFor(() => proxy.blobBytes(big.digest) >= big.size / 2, "half the model to be sent", 600_000);
  await serve.kill();
  const sentBefore = proxy.blobBytes(big.digest);
  const savedAtKill = saved();
  await first;
  await serve.stop();
  proxy.reset();
  serve = await startServe(models, env);
  const again = await pull(serve.url, name, { stream: false });
  if (again.lines.at(-1)?.status !== "success") throw new Error(JSON.stringify(again.lines));
  const refetched = sentBefore + proxy.blobBytes(big.digest) - big.size;
  console.log(
    `\nresume: ${(sentBefore / MB).toFixed(0)} MB sent before the kill, ${(savedAtKill / MB).toFixed(0)} MB in the ` +
      `saved state, ${(refetched / MB).toFixed(1)} MB sent again ` +
      `(${((100 * refetched) / Math.max(1, sentBefore)).toFixed(1)}% of what was sent before the kill)`,
  );
  await serve.stop();
  rmSync(root, { recursive: true, force: true });
  await proxy.stop();
} finally {
  // The registry is a child process: stop it even when a step failed.
  await reg.stop();
}
