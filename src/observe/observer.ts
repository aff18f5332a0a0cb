/**
 * Request observers: called once per request, after its response body has been sent (or the client went
 * away), with the finished record. The request log is one; the metrics are another.
 */
import type { Logger } from "../log.ts";
import type { RequestRecord } from "./request-record.ts";

/** Reads a finished request's record; must not throw (a throw is logged and ignored) and must be quick. */
export type RequestObserver = (r: RequestRecord) => void;

/** Calls every observer with `record`; one that throws is logged and the others still run. */
export function notifyObservers(
  observers: readonly RequestObserver[],
  record: RequestRecord,
  logger?: Logger,
): void {
  for (const observe of observers) {
    try {
      observe(record);
    } catch (e) {
      logger?.warn("request observer failed", { id: record.id, error: String(e) });
    }
  }
}
