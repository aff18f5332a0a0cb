/** Test fixtures: templates as prompt templates — Go sources, and the real Jinja templates llama.cpp bundles. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { llamaSourceDir } from "../../gguf/synth/llama-source.ts";
import { compileJinja, parseTemplate } from "../../templates/index.ts";
import type { PromptTemplate } from "../template.ts";

/** A Go template as a model's prompt template. */
export const goTemplate = (source: string): PromptTemplate => ({ kind: "go", go: parseTemplate(source) });

/** A bundled llama.cpp Jinja template (models/templates/<name>.jinja) as a model's prompt template. */
export function jinjaTemplate(name: string): PromptTemplate {
  const source = readFileSync(join(llamaSourceDir(), "models", "templates", `${name}.jinja`), "utf8");
  return { kind: "jinja", jinja: compileJinja(source), bos: "<s>", eos: "</s>", addBos: false };
}
