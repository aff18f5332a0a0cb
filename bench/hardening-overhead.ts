/**
 * What access control and request limits add to a request: this checkout's serve with API keys configured
 * (every request carries `Authorization: Bearer`, the Host/Origin guard and all limits on) against a baseline
 * checkout's serve with none of it, both as their own processes with the same tiny model, requests
 * alternating between the two so machine noise falls on both sides alike.
 * Measures /api/generate (raw prompt, num_predict 1, stream false) and GET /api/tags, p50 and p90.
 * Usage: bun bench/hardening-overhead.ts [--n 300] [--baseline REV]   (REV: a commit before the hardening)
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { synthModel } from "../test/fixtures/models.ts";
import { type ServeProcess, spawnServe } from "./serve-process.ts";
import { percentile } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { n: { type: "string", default: "300" }, baseline: { type: "string", default: "d941288" } },
});
const N = Number(values.n);
const repo = join(import.meta.dir, "..");

// The baseline: a detached worktree of REV sharing this checkout's node_modules.
const baseDir = mkdtempSync(join(tmpdir(), "tsllm-baseline-"));
execFileSync("git", ["-C", repo, "worktree", "add", "--detach", baseDir, values.baseline as string], {
  stdio: "ignore",
});
if (!existsSync(join(baseDir, "node_modules")))
  symlinkSync(join(repo, "node_modules"), join(baseDir, "node_modules"));

const KEY = "bench-inference-key-0123456789abcdef";
const auth = { authorization: `Bearer ${KEY}` };
const gguf = await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" });
const base = await spawnServe(1, { entry: join(baseDir, "src/main.ts") });
const guarded = await spawnServe(1, {
  env: { TSLLM_API_KEYS: `admin:${KEY}-admin,${KEY}` },
  headers: { authorization: `Bearer ${KEY}-admin` },
});
await base.create("b", gguf);
await guarded.create("b", gguf);

const body = JSON.stringify({
  model: "b",
  prompt: "The quick brown fox",
  raw: true,
  stream: false,
  options: { temperature: 0, num_predict: 1, seed: 1 },
});

async function timed(server: ServeProcess, path: string, headers: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const r =
    path === "/api/generate"
      ? await fetch(`${server.url}${path}`, { method: "POST", headers, body })
      : await fetch(`${server.url}${path}`, { headers });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  await r.arrayBuffer();
  return performance.now() - t0;
}

const rows: string[] = [];
for (const path of ["/api/generate", "/api/tags"]) {
  for (let i = 0; i < 30; i++) {
    await timed(base, path, {});
    await timed(guarded, path, auth);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < N; i++) {
    a.push(await timed(base, path, {}));
    b.push(await timed(guarded, path, auth));
  }
  const p = (xs: number[], q: number) => percentile(xs, q).toFixed(2);
  const added = (percentile(b, 0.5) - percentile(a, 0.5)).toFixed(2);
  rows.push(`| ${path} | ${p(a, 0.5)} / ${p(a, 0.9)} | ${p(b, 0.5)} / ${p(b, 0.9)} | ${added} |`);
}

await base.stop();
await guarded.stop();
execFileSync("git", ["-C", repo, "worktree", "remove", "--force", baseDir], { stdio: "ignore" });
rmSync(baseDir, { recursive: true, force: true });

console.log(`n = ${N} per side, alternating; baseline ${values.baseline}`);
console.log("| request | baseline p50 / p90 (ms) | keys + guard + limits p50 / p90 (ms) | added p50 (ms) |");
console.log("|---|---|---|---|");
for (const r of rows) console.log(r);
