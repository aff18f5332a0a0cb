/**
 * create's uploaded `files`, sorted into layers as Ollama's create does (server/create.go ggufLayers): the
 * weights, and any vision projector (a Modelfile's second FROM, an mmproj GGUF) as a projector layer.
 */
import type { GgufFile } from "../gguf/reader.ts";
import { ggufKind } from "../gguf/validate.ts";
import type { InferenceDeps } from "./deps.ts";

/** The weights file and the projector digests among the uploaded files. */
export interface SortedFiles {
  weights?: [string, string];
  projectors: string[];
}

/** A GGUF that is a vision (or audio) projector: the clip architecture, or general.type saying so. */
export function isProjectorGguf(f: GgufFile): boolean {
  const type = f.metadata["general.type"];
  return ggufKind(f) === "projector" || type === "projector" || type === "mmproj";
}

/**
 * Sorts `files` (path → digest) by path, as Ollama does, and splits off the projectors; the weights are the
 * first other GGUF (by name, else the first file). A blob not in the store is left for createModel to report.
 */
export async function sortFiles(
  deps: Pick<InferenceDeps, "store" | "cache">,
  files: [string, string][],
): Promise<SortedFiles> {
  const sorted = [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const projectors: string[] = [];
  const rest: [string, string][] = [];
  for (const file of sorted) {
    const digest = file[1];
    const header = (await deps.store.blobs.has(digest))
      ? await deps.cache.gguf(deps.store.blobs.path(digest)).catch(() => undefined)
      : undefined;
    if (header && isProjectorGguf(header)) {
      if (!projectors.includes(digest)) projectors.push(digest);
    } else rest.push(file);
  }
  return { weights: rest.find(([p]) => p.endsWith(".gguf")) ?? rest[0], projectors };
}
