/**
 * Resolving a request's model: its stored parts, GGUF metadata (cached per blob), capabilities and the
 * prompt template it renders with.
 */
import type { GgufFile } from "../gguf/reader.ts";
import { compileJinja, parseTemplate } from "../templates/index.ts";
import { InvalidInputError } from "../errors.ts";
import type { NotFoundWording } from "../store/errors.ts";
import type { ModelStore, StoredModel } from "../store/index.ts";
import { ModelNotFoundError } from "../store/index.ts";
import type { ModelCache } from "./model-cache.ts";
import { type PromptTemplate, templateCapabilities } from "./template.ts";

/** A model ready to be scheduled. */
export interface ResolvedModel {
  /** The name as the client spelled it. */
  name: string;
  stored: StoredModel;
  /** GGUF blob path. */
  path: string;
  gguf: GgufFile;
  template: PromptTemplate;
  capabilities: string[];
}

/** Looks a model up in the store; 400 when `name` is empty, 404 (`wording`) when it is absent. */
export async function resolveModel(
  { store, cache }: { store: ModelStore; cache: ModelCache },
  name: string | undefined,
  wording: NotFoundWording = "pull",
): Promise<ResolvedModel> {
  if (!name) throw new InvalidInputError("model is required");
  const stored = await store.get(name).catch((e) => {
    throw e instanceof ModelNotFoundError ? new ModelNotFoundError(name, wording) : e;
  });
  if (!stored.modelPath) throw new ModelNotFoundError(name, wording);
  const gguf = await cache.gguf(stored.modelPath);
  const template = promptTemplate(stored, gguf, cache);
  return {
    name,
    stored,
    path: stored.modelPath,
    gguf,
    template,
    capabilities: capabilities(stored, gguf, template),
  };
}

/** The Modelfile TEMPLATE (Go syntax) when present, else the GGUF's Jinja chat template, else `{{ .Prompt }}`. */
export function promptTemplate(stored: StoredModel, gguf: GgufFile, cache: ModelCache): PromptTemplate {
  const meta = gguf.metadata;
  if (stored.template !== undefined)
    return { kind: "go", go: cache.template(stored.template, parseTemplate) };
  const jinja = meta["tokenizer.chat_template"];
  if (typeof jinja === "string" && jinja.trim() !== "") {
    const tokens = meta["tokenizer.ggml.tokens"];
    const token = (key: string) => {
      const id = meta[key];
      return Array.isArray(tokens) && typeof id === "number" ? String(tokens[id] ?? "") : "";
    };
    const addBos = meta["tokenizer.ggml.add_bos_token"];
    return {
      kind: "jinja",
      jinja: cache.template(jinja, compileJinja),
      bos: token("tokenizer.ggml.bos_token_id"),
      eos: token("tokenizer.ggml.eos_token_id"),
      addBos: typeof addBos === "boolean" ? addBos : meta["tokenizer.ggml.model"] === "llama",
    };
  }
  return { kind: "go", go: cache.template("{{ .Prompt }}", parseTemplate) };
}

/** Ollama's derived capabilities plus any the config blob lists. */
export function capabilities(stored: StoredModel, gguf: GgufFile, template: PromptTemplate): string[] {
  const meta = gguf.metadata;
  const arch = String(meta["general.architecture"] ?? "");
  const caps = new Set<string>();
  caps.add(meta[`${arch}.pooling_type`] !== undefined ? "embedding" : "completion");
  if (!caps.has("embedding")) for (const c of templateCapabilities(template)) caps.add(c);
  if (meta[`${arch}.vision.block_count`] !== undefined || stored.projectorPaths.length > 0)
    caps.add("vision");
  for (const c of stored.config.capabilities ?? []) caps.add(c);
  return [...caps];
}
