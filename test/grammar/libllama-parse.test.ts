/** Every grammar the converter writes for the conformance schemas is one libllama's GBNF parser accepts. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { schemaToGbnf } from "../../src/inference/grammar/json-schema.ts";
import { formatToGrammar } from "../../src/inference/grammar/format.ts";
import { llamaSourceDir } from "../../src/gguf/synth/llama-source.ts";
import { cstr, type Ptr } from "../../src/llama/ffi/memory.ts";
import { native } from "../../src/llama/ffi/native.ts";
import { Model } from "../../src/llama/engine/model.ts";
import { useNativeBackend } from "../helpers/native.ts";
import { SCHEMA_CASES } from "./schemas.ts";

let model: Model;
beforeAll(() => {
  useNativeBackend();
  model = Model.load(join(llamaSourceDir(), "models", "ggml-vocab-llama-spm.gguf"), { vocabOnly: true });
});
afterAll(() => model?.dispose());

function parses(grammar: string): boolean {
  const { llama } = native();
  const g = llama.llama_sampler_init_grammar(model.vocab.handle, cstr(grammar), cstr("root")) as Ptr | null;
  if (g) llama.llama_sampler_free(g);
  return g !== null;
}

describe("libllama parses the converter's grammars", () => {
  test('format "json"', () => expect(parses(formatToGrammar("json") as string)).toBe(true));
  for (const c of SCHEMA_CASES) test(c.name, () => expect(parses(schemaToGbnf(c.schema))).toBe(true));
  test("repetitions past libllama's limit of 2000", () => {
    expect(parses(schemaToGbnf({ type: "string", minLength: 2500, maxLength: 7000 }))).toBe(true);
    expect(parses(schemaToGbnf({ type: "array", items: { type: "null" }, maxItems: 4500 }))).toBe(true);
  });
});
