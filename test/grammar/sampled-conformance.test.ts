/**
 * Every conformance schema's grammar, sampled at random (no model): each sampled document must parse as
 * JSON and validate against the schema with ajv (+ ajv-formats). Sampling walks the grammar itself, so it
 * reaches corners a model rarely does (every optional property, every alternative, long repetitions).
 */
import { describe, expect, test } from "bun:test";
import { schemaToGbnf } from "../../src/inference/grammar/json-schema.ts";
import { validatorFor } from "../helpers/ajv.ts";
import { Gbnf } from "./gbnf.ts";
import { SCHEMA_CASES } from "./schemas.ts";

const SAMPLES = 200;

/** A seeded PRNG (mulberry32): floats in [0, 1). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("sampled grammar documents validate against their schema", () => {
  test("there are at least 40 cases", () => expect(SCHEMA_CASES.length).toBeGreaterThanOrEqual(40));
  for (const c of SCHEMA_CASES) {
    test(c.name, () => {
      const validate = validatorFor(c.schema, c.draft);
      const g = new Gbnf(schemaToGbnf(c.schema));
      const next = rng(7);
      for (let i = 0; i < SAMPLES; i++) {
        const text = g.sample(next);
        const value = JSON.parse(text);
        if (!validate(value)) throw new Error(`${text}\n${JSON.stringify(validate.errors)}`);
      }
    });
  }
});
