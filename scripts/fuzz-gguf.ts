/**
 * The long GGUF mutation fuzz run: `bun scripts/fuzz-gguf.ts --count 5000 --seed N`.
 * Mutates tiny synthetic models (five bases by default, the CI three with `--bases ci`), validates every file,
 * and sends those that pass through upload, create and a one-token generate in a real runner (an in-process
 * serve started once). Prints progress, the counts by outcome and by mutation family, the most common
 * rejection and load-failure messages, every file that crashed or hung, and the duration; exits 1 when
 * anything must-not-happen happened. `--only 12,40` replays single files of a seeded run.
 */
import { parseArgs } from "node:util";
import { startTestServer } from "../test/api/helpers.ts";
import { CI_BASES, type FuzzBase, LONG_BASES, loadBase, Scratch } from "../test/fuzz/gguf-base.ts";
import { formatReport, report } from "../test/fuzz/gguf-report.ts";
import { type FileResult, runOne } from "../test/fuzz/gguf-run.ts";

const { values: a } = parseArgs({
  options: {
    count: { type: "string", default: "5000" },
    seed: { type: "string", default: "1" },
    bases: { type: "string", default: "long" },
    timeout: { type: "string", default: "120000" },
    "create-rejected-every": { type: "string", default: "4" },
    only: { type: "string" },
    json: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (a.help) {
  console.log(
    "usage: bun scripts/fuzz-gguf.ts [--count 5000] [--seed 1] [--bases long|ci] [--timeout ms per request]\n" +
      "                              [--create-rejected-every n: also send every n-th rejected file to create]\n" +
      "                              [--only i,j,…] [--json file: every file's result]",
  );
  process.exit(0);
}

const seed = Number(a.seed);
const indices = a.only ? a.only.split(",").map(Number) : Array.from({ length: Number(a.count) }, (_, i) => i);
const bases: FuzzBase[] = [];
const scratch = new Scratch();
for (const o of a.bases === "ci" ? CI_BASES : LONG_BASES) bases.push(await loadBase(o, scratch));
console.log(`bases: ${bases.map((b) => b.label).join(", ")}; seed ${seed}; ${indices.length} files`);

const server = await startTestServer();
process.on("SIGINT", () => void server.stop().then(() => process.exit(130)));
const opts = {
  server,
  bases,
  seed,
  timeoutMs: Number(a.timeout),
  createRejectedEvery: Number(a["create-rejected-every"]),
};
const t0 = performance.now();
const results: FileResult[] = [];
try {
  for (const i of indices) {
    const r = await runOne(opts, i);
    results.push(r);
    if (a.only || !["rejected", "loaded", "load-failed"].includes(r.outcome)) {
      console.log(`#${i} ${r.outcome} [${r.base}] ${r.family}: ${r.label} ${r.detail}`);
    }
    if (results.length % 100 === 0) {
      const s = ((performance.now() - t0) / 1000).toFixed(0);
      console.log(
        `${results.length}/${indices.length} after ${s} s: ${JSON.stringify(report(results, 0).outcomes)}`,
      );
    }
  }
} finally {
  await server.stop();
}
const r = report(results, (performance.now() - t0) / 1000);
console.log(formatReport(r, results));
if (a.json) await Bun.write(a.json, JSON.stringify(results, null, 1));
process.exit(r.bad.length > 0 ? 1 : 0);
