/**
 * The request log: one line per request, written when its answer has ended. It names the request (id,
 * method, raw path without the query — a query may carry a key), its outcome and its costs; never prompt or
 * completion text, header values or keys. Probes and scrapes (/health, /metrics, /api/slots) that succeed
 * are logged at debug: polled every few seconds, they would bury everything else.
 */
import type { Level, Logger } from "../../log.ts";
import type { RequestObserver } from "../../observe/observer.ts";
import type { RequestRecord } from "../../observe/request-record.ts";

const QUIET = new Set(["/health", "/metrics", "/metrics/llamacpp", "/api/slots"]);

/** The longest path written as is (longer ones are cut, marked with "…"). */
const MAX_PATH = 256;

const ms = (v: number) => Math.round(v * 100) / 100;

/** The fields of a request's log line, in a fixed order; facts the request never reached are left out. */
export function requestLogFields(r: RequestRecord): Record<string, unknown> {
  const f: Record<string, unknown> = {
    id: r.id,
    method: r.method,
    path: r.path.length > MAX_PATH ? `${r.path.slice(0, MAX_PATH)}…` : r.path,
    status: r.status,
  };
  if (r.model !== undefined) f.model = r.model;
  if (r.promptTokens !== undefined) f.prompt_tokens = r.promptTokens;
  if (r.cachedTokens !== undefined) f.cached_tokens = r.cachedTokens;
  if (r.generatedTokens !== undefined) f.eval_tokens = r.generatedTokens;
  if (r.durationMs !== undefined) f.duration_ms = ms(r.durationMs);
  if (r.ttftMs !== undefined) f.ttft_ms = ms(r.ttftMs);
  if (r.queueMs !== undefined) f.queue_ms = ms(r.queueMs);
  if (r.loadMs !== undefined && r.loadMs > 0) f.load_ms = ms(r.loadMs);
  if (r.doneReason !== undefined) f.done_reason = r.doneReason;
  return f;
}

/** The level a request is logged at: debug for a successful probe or scrape, else info. */
export function requestLogLevel(r: RequestRecord): Level {
  const p = r.path.length > 1 && r.path.endsWith("/") ? r.path.slice(0, -1) : r.path;
  return QUIET.has(p) && r.status !== undefined && r.status < 400 ? "debug" : "info";
}

/** An observer writing each finished request to `logger` (message "request"). */
export function requestLogObserver(logger: Logger): RequestObserver {
  return (r) => {
    const level = requestLogLevel(r);
    if (logger.enabled(level)) logger.log(level, "request", requestLogFields(r));
  };
}
