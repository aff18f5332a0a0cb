/**
 * The short API fuzz: 400 seeded requests over every route of every API (random and mutated bodies, wrong
 * types, deep/huge/odd JSON, odd names and digests, absurd options) against a serve child process with the
 * tiny models. Outcome required: no 5xx (but the queue-full 503), no hang, serve alive, no runner exit,
 * every 4xx in its API family's error shape, every 2xx well-formed. The long run: scripts/fuzz-api.ts.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { baseRequest } from "./api-gen.ts";
import { send } from "./api-oracle.ts";
import { ROUTES } from "./api-routes.ts";
import { countsTable, failureList } from "./api-report.ts";
import { runFuzz } from "./api-run.ts";
import type { ServeChild } from "./api-server.ts";
import { appRouteKeys, fuzzContext, sendOptions, startFuzzServer } from "./api-setup.ts";

const SEED = 9;
const COUNT = 400;

let server: ServeChild;
let chatDigest: string;

beforeAll(async () => {
  ({ server, chatDigest } = await startFuzzServer());
}, 60_000);
afterAll(() => server?.stop());

test("every route the app serves has a base request in the fuzz table", () => {
  expect(appRouteKeys().filter((k) => !(k in ROUTES))).toEqual([]);
});

test("every route's unmutated base request succeeds (so mutations start from a valid request)", async () => {
  const ctx = fuzzContext(chatDigest, 1 << 20);
  const answers: string[] = [];
  for (const route of appRouteKeys()) {
    const o = await send(server.url, baseRequest(SEED, route, ctx), sendOptions());
    // The responses routes name a random id, which no stored response has.
    const ok = route.includes("/v1/responses/:id") ? o.status === 404 : o.status >= 200 && o.status < 300;
    if (!ok || o.problem) answers.push(`${route}: ${o.status} ${o.problem ?? ""} ${o.sample.slice(0, 160)}`);
  }
  expect(answers).toEqual([]);
}, 120_000);

test(`${COUNT} seeded requests over every route: no 5xx, no hang, no crash, errors in each API's shape`, async () => {
  const routes = appRouteKeys();
  const report = await runFuzz({
    url: server.url,
    seed: SEED,
    count: COUNT,
    concurrency: 4,
    ctx: fuzzContext(chatDigest, 1 << 20),
    routes,
    send: sendOptions([server.root, join(import.meta.dir, "../..")]),
    server,
    // Ends in time to print its findings when a wedged server turns every request into a 30 s timeout.
    deadlineMs: 120_000,
    maxFailures: 40,
  });
  if (report.failures.length || report.stopped)
    console.log(
      `${countsTable(report)}\n\n${failureList(server.url, report, SEED)}\n` +
        `${report.sent} requests in ${(report.durationMs / 1000).toFixed(1)} s; stopped by: ${report.stopped ?? "-"}` +
        `\nserver log (last 40 lines):\n${server.lines().slice(-40).join("\n")}`,
    );
  expect(report.aborted).toBe(false);
  expect(
    report.failures.map((f) => `${f.request.route} #${f.request.index}: ${f.problem.slice(0, 200)}`),
  ).toEqual([]);
  expect(report.stopped).toBeUndefined();
  expect([...report.counts.keys()].sort()).toEqual([...routes].sort());
}, 400_000);
