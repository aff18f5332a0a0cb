/**
 * The outermost layer of the fetch handler: each request gets an id and a RequestRecord, runs inside
 * withRequestRecord (so the layers below fill the record in), answers with `X-Request-Id`, and is finalized
 * once its answer has ended — for a streamed (NDJSON/SSE) answer that is when its last byte is handed to
 * the server or the client goes away, well after the handler returned. Then every observer sees the record.
 */
import { watchBodyEnd } from "../body-end.ts";
import type { Logger } from "../../log.ts";
import { notifyObservers, type RequestObserver } from "../../observe/observer.ts";
import { RequestRecord, withRequestRecord } from "../../observe/request-record.ts";
import { errorBodyFor } from "../error-shapes.ts";
import { errorResponse } from "../errors.ts";
import { requestPath } from "../guard/guard.ts";
import { REQUEST_ID_HEADER, requestIdFor } from "./request-id.ts";
import type { ServeState } from "./serve-state.ts";

/** A fetch handler. */
export type Handler = (req: Request) => Promise<Response>;

/** What the tracker reports to. */
export interface TrackerOptions {
  observers?: readonly RequestObserver[];
  /** Counts requests in flight (for the drain). */
  state?: ServeState;
  /** For observer failures and unexpected handler errors. */
  logger?: Logger;
}

/** Answers whose body is produced while it is sent: finalized at the body's end, not the handler's. */
const STREAMING = /^(application\/x-ndjson|text\/event-stream)/i;

/** `res` carrying the request id (a copy when its headers are immutable). */
function withId(res: Response, id: string): Response {
  try {
    res.headers.set(REQUEST_ID_HEADER, id);
    return res;
  } catch {
    const headers = new Headers(res.headers);
    headers.set(REQUEST_ID_HEADER, id);
    return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
  }
}

/** Wraps `handle` so that every request is recorded, carries its id back, and is observed when it ends. */
export function trackRequests(handle: Handler, o: TrackerOptions = {}): Handler {
  const observers = o.observers ?? [];
  return async (req) => {
    const path = requestPath(req.url);
    const record = new RequestRecord(requestIdFor(req), req.method, path);
    o.state?.begin();
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      record.durationMs = performance.now() - record.startedAt;
      o.state?.end();
      notifyObservers(observers, record, o.logger);
    };
    let res: Response;
    try {
      res = await withRequestRecord(record, () => handle(req));
    } catch (e) {
      // The layers below map their own errors; this is the last resort, in the path's API family's shape.
      res = errorResponse(e, undefined, o.logger, errorBodyFor(path));
    }
    record.status = res.status;
    res = withId(res, record.id);
    if (res.body === null || !STREAMING.test(res.headers.get("content-type") ?? "")) {
      end();
      return res;
    }
    // A client that goes away mid-stream may leave the body unread: its abort ends the record too.
    req.signal.addEventListener("abort", end, { once: true });
    return new Response(watchBodyEnd(res.body, end, { onCancel: true }), {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
    });
  };
}
