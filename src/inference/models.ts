/** Listing, copying, deleting and the loaded-model table (/api/tags, /api/copy, /api/delete, /api/ps). */
import { InvalidInputError } from "../errors.ts";
import type { ModelDetails } from "../store/index.ts";
import type { InferenceDeps } from "./deps.ts";

/** One /api/tags row. */
export interface TagsEntry {
  name: string;
  model: string;
  modified_at: string;
  size: number;
  digest: string;
  details: ModelDetails;
}

/** Every stored model, newest first. */
export async function listModels(deps: InferenceDeps): Promise<TagsEntry[]> {
  return (await deps.store.list()).map((m) => ({
    name: m.name,
    model: m.name,
    modified_at: m.modifiedAt.toISOString(),
    size: m.size,
    digest: m.digest,
    details: m.details,
  }));
}

/** Copies a model's manifest under a new name. */
export async function copyModel(deps: InferenceDeps, source: string, destination: string): Promise<void> {
  if (!source || !destination) throw new InvalidInputError("source and destination are required");
  await deps.store.copy(source, destination);
}

/** Deletes a model and the blobs only it used. */
export async function deleteModel(deps: InferenceDeps, name: string | undefined): Promise<void> {
  if (!name) throw new InvalidInputError("model is required");
  await deps.store.delete(name);
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
        details: stored?.details ?? { parent_model: "", ...r.details },
        expires_at: new Date(r.expires_at?.getTime() ?? Date.now() + FOREVER_MS).toISOString(),
        size_vram: Math.round(r.size_vram),
        context_length: r.context_length,
      };
    }),
  );
}
