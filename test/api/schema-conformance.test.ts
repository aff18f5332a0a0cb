/**
 * Structured outputs end to end: every conformance schema (test/grammar/schemas.ts) × 5 seeds through a real
 * `serve` and a random-weight model, `/api/generate` with `format`. Every document must finish (done_reason
 * "stop"), parse as JSON and validate against the schema with ajv + ajv-formats.
 *
 * Free strings get a maxLength first (see test/grammar/bounded.ts): a random-weight model would never close
 * them. The grammar allows any length where the schema does; test/grammar covers that without a model.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { validatorFor } from "../helpers/ajv.ts";
import { bounded } from "../grammar/bounded.ts";
import { type SchemaCase, SCHEMA_CASES } from "../grammar/schemas.ts";
import { synthModel } from "../fixtures/models.ts";
import { type Json, models, startTestServer, type TestServer } from "./helpers.ts";

const SEEDS = [1, 2, 3, 4, 5];
const CONCURRENCY = 8;

let s: TestServer;
const results = new Map<string, { status: number; body: Json }[]>();
const cases = SCHEMA_CASES.filter((c) => c.model !== false).map((c) => ({
  ...c,
  schema: bounded(c.schema) as Record<string, unknown>,
}));

beforeAll(async () => {
  // Two runners (two random models), one thread each: grammar sampling runs on one thread per runner, so
  // two of them keep both cores busy.
  s = await startTestServer({ TSLLM_NUM_PARALLEL: "4", TSLLM_NUM_THREADS: "1" });
  await s.createFrom("tiny-1", await models.chat());
  await s.createFrom(
    "tiny-2",
    await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm", seed: 2 }),
  );
  const jobs = cases.flatMap((c) => SEEDS.map((seed) => ({ c, seed, model: `tiny-${1 + (seed % 2)}` })));
  let next = 0;
  const worker = async () => {
    for (let j = jobs[next++]; j; j = jobs[next++]) {
      const r = await s.request("/api/generate", {
        model: j.model,
        prompt: "JSON:",
        raw: true,
        stream: false,
        format: j.c.schema,
        options: { temperature: 1, seed: j.seed, num_predict: 1024 },
      });
      const list = results.get(j.c.name) ?? [];
      list.push({ status: r.status, body: await r.json() });
      results.set(j.c.name, list);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}, 600_000);
afterAll(() => s?.stop());

describe("format: JSON schema → conforming documents from a random model", () => {
  test("at least 40 schemas", () => expect(cases.length).toBeGreaterThanOrEqual(40));
  for (const c of cases) {
    test(c.name, () => check(c));
  }
});

function check(c: SchemaCase) {
  const validate = validatorFor(c.schema, c.draft);
  const runs = results.get(c.name) ?? [];
  expect(runs.length).toBe(SEEDS.length);
  for (const { status, body } of runs) {
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.done_reason, String(body.response)).toBe("stop");
    const value = JSON.parse(String(body.response));
    if (!validate(value)) throw new Error(`${body.response}\n${JSON.stringify(validate.errors)}`);
  }
}
