/**
 * GGUF mutation fuzz, short run: seeded mutants of three tiny synthetic models (llama SPM Q8_0, GPT-2 BPE
 * Q4_0, BERT embedding Q8_0) go through validation; those that pass go through upload, create and a
 * one-token generate (or an embedding) in a real runner. No runner crash, no serve crash, no hang, and
 * create agrees with validation. The long run is `bun run fuzz:gguf --count 5000`.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../api/helpers.ts";
import { CI_BASES, type FuzzBase, loadBase, Scratch } from "./gguf-base.ts";
import { formatReport, report } from "./gguf-report.ts";
import { type FileResult, runOne } from "./gguf-run.ts";

const SEED = 20261130;
const COUNT = 150;

let server: TestServer;
let bases: FuzzBase[];

beforeAll(async () => {
  bases = [];
  const scratch = new Scratch();
  for (const o of CI_BASES) bases.push(await loadBase(o, scratch));
  server = await startTestServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

test(`${COUNT} mutated GGUF files: rejected, loaded or failed cleanly — never a crash or a hang`, async () => {
  const t0 = performance.now();
  const results: FileResult[] = [];
  for (let i = 0; i < COUNT; i++) {
    results.push(await runOne({ server, bases, seed: SEED, timeoutMs: 60_000, createRejectedEvery: 10 }, i));
  }
  const r = report(results, (performance.now() - t0) / 1000);
  if (r.bad.length > 0) console.error(formatReport(r, results));
  expect(r.bad.map((b) => `#${b.index} ${b.outcome} [${b.base}] ${b.label}: ${b.detail}`)).toEqual([]);
  // The run exercised every path: files were refused, and files were loaded by a real runner.
  expect(r.outcomes.rejected ?? 0).toBeGreaterThan(COUNT / 2);
  expect(r.outcomes.loaded ?? 0).toBeGreaterThan(0);
}, 600_000);
