/** Listing, copying, deleting and the loaded-model table (/api/tags, /api/copy, /api/delete, /api/ps). */
import { InvalidInputError } from "../errors.ts";
import {
  formatName,
  InvalidNameError,
  isValidName,
  type ListedModel,
  type ModelDetails,
} from "../store/index.ts";
import type { InferenceDeps } from "./deps.ts";
import { capabilities, promptTemplate } from "./model.ts";

/** `details` of an /api/tags row: the manifest's, plus the GGUF's context and embedding lengths when known. */
export interface TagsDetails extends ModelDetails {
  context_length?: number;
  embedding_length?: number;
}

/** One /api/tags row (Ollama's ListModelResponse). */
export interface TagsEntry {
  name: string;
  model: string;
  modified_at: string;
  size: number;
  digest: string;
  details: TagsDetails;
  capabilities?: string[];
}

/** What the model file adds to a row; nothing when it cannot be read (the row is still listed, as Ollama). */
async function fromModelFile(
  deps: InferenceDeps,
  m: ListedModel,
): Promise<{ lengths: Partial<TagsDetails>; capabilities: string[] }> {
  try {
    const stored = await deps.store.get(formatName(m.fullName));
    if (!stored.modelPath) return { lengths: {}, capabilities: stored.config.capabilities ?? [] };
    const gguf = await deps.cache.gguf(stored.modelPath);
    const arch = String(gguf.metadata["general.architecture"] ?? "");
    const lengths: Partial<TagsDetails> = {};
    const ctx = Number(gguf.metadata[`${arch}.context_length`] ?? 0);
    const embd = Number(gguf.metadata[`${arch}.embedding_length`] ?? 0);
    if (ctx > 0) lengths.context_length = ctx;
    if (embd > 0) lengths.embedding_length = embd;
    return { lengths, capabilities: capabilities(stored, gguf, promptTemplate(stored, gguf, deps.cache)) };
  } catch (e) {
    deps.logger.debug("model list: model file unreadable", { model: m.name, error: String(e) });
    return { lengths: {}, capabilities: [] };
  }
}

/** Every stored model, newest first, with its capabilities (Ollama's ListResponse). */
export async function listModels(deps: InferenceDeps): Promise<TagsEntry[]> {
  return Promise.all(
    (await deps.store.list()).map(async (m) => {
      const file = await fromModelFile(deps, m);
      return {
        name: m.name,
        model: m.name,
        modified_at: m.modifiedAt.toISOString(),
        size: m.size,
        digest: m.digest,
        details: { ...m.details, ...file.lengths },
        ...(file.capabilities.length ? { capabilities: file.capabilities } : {}),
      };
    }),
  );
}

/** Copies a model's manifest under a new name (Ollama's CopyHandler texts for bad names). */
export async function copyModel(deps: InferenceDeps, source = "", destination = ""): Promise<void> {
  if (!isValidName(source)) throw new InvalidNameError(`source ${JSON.stringify(source)} is invalid`);
  if (!isValidName(destination))
    throw new InvalidNameError(`destination ${JSON.stringify(destination)} is invalid`);
  await deps.store.copy(source, destination);
}

/** Deletes a model and the blobs only it used (Ollama's DeleteHandler texts for a missing or bad name). */
export async function deleteModel(deps: InferenceDeps, name: string | undefined): Promise<void> {
  if (!name?.trim()) throw new InvalidInputError("model is required");
  if (!isValidName(name.trim())) throw new InvalidNameError(`name ${JSON.stringify(name)} is invalid`);
  await deps.store.delete(name.trim());
}

/** One /api/ps row. */
export interface PsRow {
  name: string;
  model: string;
  size: number;
  digest: string;
  details: Omit<ModelDetails, "parent_model"> & { parent_model: string };
  expires_at: string;
  size_vram: number;
  context_length: number;
  /** Bytes per host ("local" or an RPC server's host:port) when the model is split over RPC servers. */
  split?: { host: string; size: number }[];
}

// "Forever" is shown as now + the largest Go duration, as Ollama does.
const FOREVER_MS = 2 ** 63 / 1e6;

/** Loaded models, latest expiry first; details come from the manifest when the name still resolves. */
export async function runningModels(deps: InferenceDeps): Promise<PsRow[]> {
  const rows = deps.scheduler.loaded();
  return Promise.all(
    rows.map(async (r) => {
      const stored = await deps.store.get(r.name).catch(() => undefined);
      return {
        name: stored?.name ?? r.name,
        model: stored?.name ?? r.name,
        size: Math.round(r.size),
        digest: stored?.digest ?? r.digest,
        // Ollama's ps details come from the config blob alone: no parent model.
        details: stored ? { ...stored.details, parent_model: "" } : { parent_model: "", ...r.details },
        expires_at: new Date(r.expires_at?.getTime() ?? Date.now() + FOREVER_MS).toISOString(),
        size_vram: Math.round(r.size_vram),
        context_length: r.context_length,
        ...(r.split ? { split: r.split.map((h) => ({ host: h.host, size: Math.round(h.size) })) } : {}),
      };
    }),
  );
}
