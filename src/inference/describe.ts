/** What a GGUF blob says about itself, in the forms the store and /api/show use. */
import type { GgufFile } from "../gguf/reader.ts";
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

/** GGUF metadata for /api/show: no chat template or name, long arrays emptied unless verbose, bigints as numbers. */
export function modelInfo(f: GgufFile, verbose: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f.metadata)) {
    if (k === "general.name" || k === "tokenizer.chat_template") continue;
    if (Array.isArray(v)) out[k] = !verbose && v.length > 5 ? [] : v.map(plain);
    else out[k] = plain(v);
  }
  return out;
}

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  return Array.isArray(v) ? v.map(plain) : v;
}
