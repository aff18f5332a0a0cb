/**
 * Resolving a request's model: its stored parts, GGUF metadata (cached per blob), capabilities and the
 * prompt template it renders with.
 */
import { type GgufFile, readGguf } from "../gguf/reader.ts";
import { compileJinja, parseTemplate } from "../templates/index.ts";
import { InvalidInputError } from "../errors.ts";
import type { NotFoundWording } from "../store/errors.ts";
import type { ModelStore, StoredModel } from "../store/index.ts";
import { ModelNotFoundError } from "../store/index.ts";
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

const ggufCache = new Map<string, Promise<GgufFile>>();

/** The parsed GGUF header of a blob (blobs are immutable, so cached by path). */
export function ggufOf(path: string): Promise<GgufFile> {
  let f = ggufCache.get(path);
  if (!f) {
    f = readGguf(path);
    ggufCache.set(path, f);
    f.catch(() => ggufCache.delete(path));
    if (ggufCache.size > 64) ggufCache.delete(ggufCache.keys().next().value as string);
  }
  return f;
}

/** Looks a model up in the store; 400 when `name` is empty, 404 (`wording`) when it is absent. */
export async function resolveModel(
  store: ModelStore,
  name: string | undefined,
  wording: NotFoundWording = "pull",
): Promise<ResolvedModel> {
  if (!name) throw new InvalidInputError("model is required");
  const stored = await store.get(name).catch((e) => {
    throw e instanceof ModelNotFoundError ? new ModelNotFoundError(name, wording) : e;
  });
  if (!stored.modelPath) throw new ModelNotFoundError(name, wording);
  const gguf = await ggufOf(stored.modelPath);
  const template = promptTemplate(stored, gguf);
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
export function promptTemplate(stored: StoredModel, gguf: GgufFile): PromptTemplate {
  const meta = gguf.metadata;
  if (stored.template !== undefined) return { kind: "go", go: cached(stored.template, parseTemplate) };
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
      jinja: cached(jinja, compileJinja),
      bos: token("tokenizer.ggml.bos_token_id"),
      eos: token("tokenizer.ggml.eos_token_id"),
      addBos: typeof addBos === "boolean" ? addBos : meta["tokenizer.ggml.model"] === "llama",
    };
  }
  return { kind: "go", go: cached("{{ .Prompt }}", parseTemplate) };
}

const compiled = new Map<string, unknown>();

/** Compiled templates by source: parsing a chat template costs more than rendering it, on every request. */
function cached<T>(source: string, compile: (src: string) => T): T {
  const key = `${compile.name}\u0000${source}`;
  let t = compiled.get(key) as T | undefined;
  if (t === undefined) {
    t = compile(source);
    if (compiled.size >= 64) compiled.delete(compiled.keys().next().value as string);
    compiled.set(key, t);
  }
  return t;
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
