/**
 * Filling the current request's record (observe/request-record.ts) from the inference layer: which model
 * served it, how long it waited, and the runner's own token counts and times, added as the runner reports
 * them (never re-derived), so the metrics and the request log agree with the response's counts.
 */
import type { RequestRecord } from "../observe/request-record.ts";
import type { CompletionDone } from "../runner/protocol.ts";

/** Notes the model (its store name) and the wait for its runner; a request scheduled twice adds both waits. */
export function recordScheduled(
  r: RequestRecord | undefined,
  model: string,
  waitedMs: number,
  loadMs: number,
): void {
  if (!r) return;
  r.model = model;
  r.queueMs = (r.queueMs ?? 0) + waitedMs;
  r.loadMs = (r.loadMs ?? 0) + loadMs;
}

/** Adds one runner pass's timings (a thinking budget can make two passes). */
export function recordTimings(r: RequestRecord | undefined, t: CompletionDone["timings"]): void {
  if (!r) return;
  r.promptTokens = (r.promptTokens ?? 0) + t.prompt_n;
  r.cachedTokens = (r.cachedTokens ?? 0) + t.cache_n;
  r.evalTokens = (r.evalTokens ?? 0) + t.predicted_n;
  if (t.draft_n !== undefined) r.draftTokens = (r.draftTokens ?? 0) + t.draft_n;
  if (t.draft_n_accepted !== undefined) r.draftAccepted = (r.draftAccepted ?? 0) + t.draft_n_accepted;
  r.promptMs = (r.promptMs ?? 0) + t.prompt_ms;
  r.evalMs = (r.evalMs ?? 0) + t.predicted_ms;
  // Output held back to its end (a stop-string prefix) arrives only with the final record.
  if (r.ttftMs === undefined && t.predicted_n > 0) r.token();
}

/** Adds an embedding call's prompt tokens. */
export function recordEmbedded(r: RequestRecord | undefined, promptTokens: number): void {
  if (r) r.promptTokens = (r.promptTokens ?? 0) + promptTokens;
}
