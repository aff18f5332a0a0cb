/** What a GGUF blob says about itself, in the forms the store and /api/show use. */
import type { GgufFile } from "../gguf/reader.ts";
import { elementCount } from "../gguf/types.ts";
import { fileTypeName, modelFactsFromGguf } from "../scheduler/index.ts";
import { humanNumber } from "../scheduler/ps.ts";
import type { DescribedModel } from "../store/index.ts";
import type { ModelCache } from "./model-cache.ts";

/** Family, parameter size and quantization of a parsed GGUF. */
export function describeGguf(f: GgufFile): DescribedModel {
  const facts = modelFactsFromGguf(f);
  return {
    family: facts.architecture,
    families: [facts.architecture],
    parameter_size: facts.parameterCount > 0 ? humanNumber(facts.parameterCount) : "",
    quantization_level: fileTypeName(facts.fileType),
  };
}

/** describeModel for the store: reads the blob's header. */
export async function describeBlob(cache: ModelCache, path: string): Promise<DescribedModel> {
  return describeGguf(await cache.gguf(path));
}

/** Σ tensor elements: what Ollama's GGUF decoder adds as `general.parameter_count`. */
export function parameterCount(f: GgufFile): number {
  return f.tensors.reduce((n, t) => n + elementCount(t.shape), 0);
}

/**
 * GGUF metadata for /api/show as Ollama builds it (server/routes.go GetModelInfo): every key but the name and
 * chat template, plus `general.parameter_count`; arrays longer than 5 emptied unless verbose; bigints as
 * numbers; keys sorted as Go encodes a map.
 */
export function modelInfo(f: GgufFile, verbose: boolean): Record<string, unknown> {
  const all: Record<string, unknown> = { ...f.metadata, "general.parameter_count": parameterCount(f) };
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(all).sort()) {
    if (k === "general.name" || k === "tokenizer.chat_template") continue;
    const v = all[k];
    if (Array.isArray(v)) out[k] = !verbose && v.length > 5 ? [] : v.map(plain);
    else out[k] = plain(v);
  }
  return out;
}

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  return Array.isArray(v) ? v.map(plain) : v;
}
