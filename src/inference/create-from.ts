/**
 * create's `from` when the store lacks it: Ollama's parseFromModel pulls the named model first and forwards
 * the pull's progress lines in the create stream. Without a registry the create fails as before (404).
 */
import type { CreateProgress } from "./create.ts";
import type { InferenceDeps } from "./deps.ts";

/** True when `from` names a model the store does not hold and a registry can fetch it. */
export async function needsPull(deps: InferenceDeps, from: string | undefined): Promise<boolean> {
  return from !== undefined && from !== "" && deps.registry !== undefined && !(await deps.store.has(from));
}

/**
 * Pulls `from` into the store. Create has no `insecure` field (Ollama's pull here is https only); an explicit
 * `http://` in the name is taken as that consent, so a plain-http registry can still serve as a base.
 */
export async function pullBase(
  deps: InferenceDeps,
  from: string,
  onProgress: (p: CreateProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  const insecure = /^http:\/\//i.test(from);
  await deps.registry?.pull(from, { insecure, onProgress, signal });
}
