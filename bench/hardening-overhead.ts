/**
 * What access control and request limits add to a request: this checkout's serve with API keys configured
 * (every request carries `Authorization: Bearer`, the Host/Origin guard and all limits on) against a baseline
 * checkout's serve with none of it, both as their own processes with the same tiny model.
 * Measures /api/generate (raw prompt, num_predict 1, stream false) and GET /api/tags, p50 and p90, and for
 * generate what serve adds over its own runner (the serve-overhead measure: the same completion sent to a
 * runner of the same checkout directly), so that a change in the runner itself is not counted as serve's.
 * The sides alternate in blocks, not request by request: after a generate, a runner's pool threads poll
 * for the next graph on the cores the other side's request then needs, so strict alternation measures the
 * other side's idle runner as much as the side itself. The first requests of each block are not counted,
 * and the order of the sides rotates every round.
 * Usage: bun bench/hardening-overhead.ts [--n 1000] [--baseline REV]   (REV: a commit before the hardening)
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { synthModel } from "../test/fixtures/models.ts";
import { directRunner, timedCompletion } from "./direct-runner.ts";
import { type ServeProcess, spawnServe } from "./serve-process.ts";
import { percentile } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { n: { type: "string", default: "1000" }, baseline: { type: "string", default: "d941288" } },
});
const N = Number(values.n);
const BLOCK = 25;
const SETTLE = 3;
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

const prompt = "The quick brown fox";
const options = { temperature: 0, num_predict: 1, seed: 1 };
const body = JSON.stringify({ model: "b", prompt, raw: true, stream: false, options });

const runners = { base: await directRunner(baseDir, gguf, 1), head: await directRunner(repo, gguf, 1) };

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

/** Runs every side in blocks until each has `N` counted samples; rotates the order every round. */
async function blocks(sides: (() => Promise<number>)[]): Promise<number[][]> {
  const out = sides.map(() => [] as number[]);
  for (let i = 0; i < 30; i++) for (const s of sides) await s();
  for (let round = 0; out.some((xs) => xs.length < N); round++) {
    for (let j = 0; j < sides.length; j++) {
      const k = (j + round) % sides.length;
      for (let i = 0; i < BLOCK; i++) {
        const ms = await (sides[k] as () => Promise<number>)();
        const into = out[k] as number[];
        if (i >= SETTLE && into.length < N) into.push(ms);
      }
    }
  }
  return out;
}

const p = (xs: number[], q: number) => percentile(xs, q).toFixed(2);
const p50 = (xs: number[]) => percentile(xs, 0.5);
const [baseGen, headGen, baseRaw, headRaw] = (await blocks([
  () => timed(base, "/api/generate", {}),
  () => timed(guarded, "/api/generate", auth),
  () => timedCompletion(runners.base, prompt, options),
  () => timedCompletion(runners.head, prompt, options),
])) as [number[], number[], number[], number[]];
const [baseTags, headTags] = (await blocks([
  () => timed(base, "/api/tags", {}),
  () => timed(guarded, "/api/tags", auth),
])) as [number[], number[]];

await runners.base.close();
await runners.head.close();
await base.stop();
await guarded.stop();
execFileSync("git", ["-C", repo, "worktree", "remove", "--force", baseDir], { stdio: "ignore" });
rmSync(baseDir, { recursive: true, force: true });

const baseAdded = p50(baseGen) - p50(baseRaw);
const headAdded = p50(headGen) - p50(headRaw);
console.log(
  `n = ${N} per side, in blocks of ${BLOCK} (first ${SETTLE} not counted); baseline ${values.baseline}`,
);
console.log("| request | baseline p50 / p90 (ms) | keys + guard + limits p50 / p90 (ms) | added p50 (ms) |");
console.log("|---|---|---|---|");
console.log(
  `| /api/generate | ${p(baseGen, 0.5)} / ${p(baseGen, 0.9)} | ${p(headGen, 0.5)} / ${p(headGen, 0.9)} | ${(p50(headGen) - p50(baseGen)).toFixed(2)} |`,
);
console.log(
  `| same completion to its runner directly | ${p(baseRaw, 0.5)} / ${p(baseRaw, 0.9)} | ${p(headRaw, 0.5)} / ${p(headRaw, 0.9)} | ${(p50(headRaw) - p50(baseRaw)).toFixed(2)} |`,
);
console.log(
  `| serve's own part of generate (serve − runner, p50) | ${baseAdded.toFixed(2)} | ${headAdded.toFixed(2)} | **${(headAdded - baseAdded).toFixed(2)}** |`,
);
console.log(
  `| /api/tags | ${p(baseTags, 0.5)} / ${p(baseTags, 0.9)} | ${p(headTags, 0.5)} / ${p(headTags, 0.9)} | ${(p50(headTags) - p50(baseTags)).toFixed(2)} |`,
);
