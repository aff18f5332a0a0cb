/**
 * The long API fuzz run: `bun scripts/fuzz-api.ts --count 10000 --seed N [--url http://…]`.
 * Without --url it starts its own serve (a child process with the tiny models; its log is checked for runner
 * exits and server faults); with --url it fuzzes that server (fuzz models created there first; only answers
 * and liveness are checked). Prints counts by route and status class, every failure with a curl reproducer,
 * and the duration; exits 1 when anything failed. `--only 12,40` replays single requests of a seeded run.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { recipes } from "../test/api/helpers.ts";
import { countsTable, failureList, slowestList } from "../test/fuzz/api-report.ts";
import { runFuzz } from "../test/fuzz/api-run.ts";
import { createModel, type ServeChild } from "../test/fuzz/api-server.ts";
import {
  appRouteKeys,
  FUZZ_MODELS,
  fuzzContext,
  sendOptions,
  startFuzzServer,
} from "../test/fuzz/api-setup.ts";

const { values: a } = parseArgs({
  options: {
    count: { type: "string", default: "10000" },
    seed: { type: "string", default: "1" },
    url: { type: "string" },
    concurrency: { type: "string", default: "4" },
    only: { type: "string" },
    "max-string": { type: "string", default: String(4 * 1024 * 1024) },
    out: { type: "string", default: join(tmpdir(), "tsllm-fuzz-api") },
    log: { type: "string" },
    timeout: { type: "string", default: "30" },
    "max-failures": { type: "string", default: "100" },
    help: { type: "boolean", short: "h" },
  },
});
if (a.help) {
  console.log(
    "usage: bun scripts/fuzz-api.ts [--count 10000] [--seed 1] [--url http://host:port] [--concurrency 4]\n" +
      "                             [--only i,j,…] [--max-string bytes] [--out dir for long request bodies]\n" +
      "                             [--log file: the started server's log] [--timeout seconds per answer]\n" +
      "                             [--max-failures 100: stop early, e.g. once a wedged server times out every request]",
  );
  process.exit(0);
}

const seed = Number(a.seed);
const count = Number(a.count);
let server: ServeChild | undefined;
let url = a.url?.replace(/\/$/, "");
let chatDigest: string;
if (url) {
  chatDigest = await createModel(url, FUZZ_MODELS.chat, recipes.tiny);
  await createModel(url, FUZZ_MODELS.embed, recipes.embed);
  await createModel(url, FUZZ_MODELS.rerank, recipes.rerank);
} else {
  ({ server, chatDigest } = await startFuzzServer());
  url = server.url;
}

const stopOnSignal = () => void server?.stop(2000).then(() => process.exit(130));
process.on("SIGINT", stopOnSignal);
const t0 = performance.now();
let last = 0;
const report = await runFuzz({
  url,
  seed,
  count,
  concurrency: Number(a.concurrency),
  ctx: fuzzContext(chatDigest, Number(a["max-string"])),
  routes: appRouteKeys(),
  send: sendOptions(server ? [server.root, join(import.meta.dir, "..")] : [], Number(a.timeout) * 1000),
  server,
  only: a.only?.split(",").map(Number),
  maxFailures: Number(a["max-failures"]),
  progress(sent) {
    if (performance.now() - last < 10_000) return;
    last = performance.now();
    const rate = sent / ((last - t0) / 1000);
    process.stderr.write(`${sent}/${a.only ? "?" : count} requests, ${rate.toFixed(1)}/s\n`);
  },
});
await server?.stop();
if (server && a.log) await Bun.write(a.log, server.log());

const failed = report.failures.length;
console.log(countsTable(report));
console.log(`\nslowest requests:\n${slowestList(report)}`);
if (failed) console.log(`\n${failed} failure(s):\n${failureList(url, report, seed, a.out)}`);
console.log(
  `\nseed ${seed}: ${report.sent} requests in ${(report.durationMs / 1000).toFixed(1)} s` +
    ` (${(report.sent / (report.durationMs / 1000)).toFixed(1)}/s), ${failed} failure(s)` +
    (report.stopped ? `, STOPPED by ${report.stopped}` : ""),
);
process.exit(failed ? 1 : 0);
