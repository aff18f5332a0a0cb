/**
 * Resolving a request's model: its stored parts, GGUF metadata (cached per blob), capabilities and the
 * prompt template it renders with.
 */
import type { GgufFile } from "../gguf/reader.ts";
import { storedModelError, validateStoredGguf } from "../gguf/validate.ts";
import { compileJinja, parseTemplate } from "../templates/index.ts";
import { InvalidInputError } from "../errors.ts";
import {
  formatName,
  InvalidNameError,
  type ModelName,
  ModelNotFoundError,
  type ModelStore,
  parseName,
  shortName,
  type StoredModel,
} from "../store/index.ts";
import type { ModelCache } from "./model-cache.ts";
import { ModelCapabilityError } from "./errors.ts";
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

/**
 * Which handler resolves the model: Ollama words an empty, invalid or unknown model differently in each
 * (server/routes.go: generate and embed answer an empty name with 404 `model '' not found`, chat and show with
 * 400 `model is required`; /api/embeddings reports a missing model as `not found, try pulling it first`;
 * show names the model in its shortest display form, `x:latest`).
 */
export type ModelRoute = "generate" | "chat" | "embed" | "embeddings" | "show" | "tokenize";

function notFound(route: ModelRoute, name: string, display: string): ModelNotFoundError {
  if (route === "embeddings") return new ModelNotFoundError(name, "pull");
  return new ModelNotFoundError(route === "show" ? display : name, "single");
}

/** Looks a model up in the store, with the route's errors for an empty, invalid or unknown name. */
export async function resolveModel(
  { store, cache }: { store: ModelStore; cache: ModelCache },
  name: string | undefined,
  route: ModelRoute,
): Promise<ResolvedModel> {
  const given = name ?? "";
  if (given.trim() === "") {
    if (route === "generate" || route === "embed") throw new ModelNotFoundError(given, "single");
    throw new InvalidInputError("model is required");
  }
  let full: ModelName;
  try {
    full = parseName(given.trim());
  } catch (e) {
    throw e instanceof InvalidNameError ? new InvalidNameError("invalid model name") : e;
  }
  const stored = await store.get(formatName(full)).catch((e) => {
    throw e instanceof ModelNotFoundError ? notFound(route, given, shortName(full)) : e;
  });
  if (!stored.modelPath) throw notFound(route, given, shortName(full));
  const gguf = await cache.gguf(stored.modelPath).catch((e) => {
    throw storedModelError(e);
  });
  // A stored file llama.cpp would refuse or abort on never reaches a runner; show still describes it.
  if (route !== "show") validateStoredGguf(gguf);
  const template = promptTemplate(stored, gguf, cache);
  return {
    name: given,
    stored,
    path: stored.modelPath,
    gguf,
    template,
    capabilities: capabilities(stored, gguf, template),
  };
}

/** Throws Ollama's scheduler error (`<full name> does not support <capability>`, 400) when `m` lacks it. */
export function requireCapability(m: ResolvedModel, capability: string): void {
  if (!m.capabilities.includes(capability))
    throw new ModelCapabilityError(formatName(m.stored.fullName), capability);
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

/** llama.cpp's rank pooling (LLAMA_POOLING_TYPE_RANK): a cross-encoder reranker. */
const RANK_POOLING = 4;

/** No pooling type: a completion model; rank pooling: a reranker (`rerank`); any other: an embedder. */
function poolingCapability(pooling: unknown): string {
  if (pooling === undefined) return "completion";
  return Number(pooling) === RANK_POOLING ? "rerank" : "embedding";
}

/**
 * Ollama's capabilities, in its order (server/images.go capabilitiesForTemplate): the config blob's, a GGUF
 * chat template's, completion, embedding or rerank (pooling_type), vision (vision.block_count or a projector), then a
 * Go template's.
 */
export function capabilities(stored: StoredModel, gguf: GgufFile, template: PromptTemplate): string[] {
  const meta = gguf.metadata;
  const arch = String(meta["general.architecture"] ?? "");
  const caps = new Set<string>(stored.config.capabilities ?? []);
  const fromTemplate = templateCapabilities(template);
  if (template.kind === "jinja") for (const c of fromTemplate) caps.add(c);
  caps.add(poolingCapability(meta[`${arch}.pooling_type`]));
  if (meta[`${arch}.vision.block_count`] !== undefined || stored.projectorPaths.length > 0)
    caps.add("vision");
  if (template.kind === "go") for (const c of fromTemplate) caps.add(c);
  return [...caps];
}
