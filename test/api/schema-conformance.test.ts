/**
 * Structured outputs end to end: every conformance schema (test/grammar/schemas.ts) × 5 seeds through a real
 * `serve` and a random-weight model, `/api/generate` with `format`. Every document must finish (done_reason
 * "stop"), parse as JSON and validate against the schema with ajv + ajv-formats.
 *
 * A random-weight model almost never closes a free string by itself (the closing quote is one of a few
 * tokens among 32,000), so free strings here get a maxLength and free extra keys a propertyNames maxLength
 * (`bounded`). The grammar allows any length where the schema does; the unit tests cover that.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { validatorFor } from "../helpers/ajv.ts";
import { type SchemaCase, SCHEMA_CASES } from "../grammar/schemas.ts";
import { type Json, models, startTestServer, type TestServer } from "./helpers.ts";

const SEEDS = [1, 2, 3, 4, 5];
const CONCURRENCY = 8;
const FREE_STRING_MAX = 8;

let s: TestServer;
const results = new Map<string, { status: number; body: Json }[]>();
const cases = SCHEMA_CASES.filter((c) => c.model !== false).map((c) => ({ ...c, schema: bounded(c.schema) as Record<string, unknown> }));

beforeAll(async () => {
  s = await startTestServer({ TSLLM_NUM_PARALLEL: "4" });
  await s.createFrom("tiny", await models.chat());
  const jobs = cases.flatMap((c) => SEEDS.map((seed) => ({ c, seed })));
  let next = 0;
  const worker = async () => {
    for (let j = jobs[next++]; j; j = jobs[next++]) {
      const r = await s.request("/api/generate", {
        model: "tiny",
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

/** `schema` with a maxLength on every free string and a propertyNames maxLength where extra keys are free. */
function bounded(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(bounded);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === "const" || k === "enum" ? v : bounded(v);
  const types = Array.isArray(out.type) ? out.type : [out.type];
  const free = ["maxLength", "pattern", "format", "enum", "const", "contentEncoding"].every((k) => !(k in out));
  if (types.includes("string") && free) out.maxLength = Number(out.minLength ?? 0) + FREE_STRING_MAX;
  const props = Object.keys((out.properties as object | undefined) ?? {});
  const extras = out.additionalProperties !== false && out.patternProperties === undefined;
  if ((out.type === "object" || out.additionalProperties !== undefined) && extras && !out.propertyNames)
    out.propertyNames = { maxLength: Math.max(6, ...props.map((p) => p.length)) };
  return out;
}
