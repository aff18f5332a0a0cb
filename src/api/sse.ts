/**
 * Server-sent events (the only place that knows the format), for the OpenAI and Anthropic APIs. As with
 * NDJSON, the first item is awaited before the response starts, so an early failure is a normal JSON error
 * in the API's own shape; a later failure becomes a final error event written by `onError`.
 */
import type { Logger } from "../log.ts";
import { type ErrorAnswer, type ErrorBody, errorAnswer, errorResponse, logFailure } from "./errors.ts";

/** One event: `event:` is omitted when undefined; `data` is JSON-encoded unless it is a string. */
export interface SseEvent {
  event?: string;
  data: unknown;
}

/** How a stream is written around its items. */
export interface SseShape<T> {
  /** Events for one item (possibly none). */
  map(item: T): SseEvent[];
  /** Events after the last item (e.g. OpenAI's `data: [DONE]`). */
  end?(): SseEvent[];
  /** Events for a failure after the stream started. */
  error(a: ErrorAnswer): SseEvent[];
  /** Error body for a failure before the stream started. */
  errorBody: ErrorBody;
}

const enc = new TextEncoder();

/** Encodes events in the text/event-stream format. */
export function encodeEvents(events: readonly SseEvent[]): Uint8Array {
  let out = "";
  for (const e of events) {
    if (e.event !== undefined) out += `event: ${e.event}\n`;
    out += `data: ${typeof e.data === "string" ? e.data : JSON.stringify(e.data)}\n\n`;
  }
  return enc.encode(out);
}

/** Streams `source` as text/event-stream. Cancelling the response (client gone) ends the source iterator. */
export async function sseResponse<T>(
  source: AsyncIterable<T>,
  shape: SseShape<T>,
  logger?: Logger,
): Promise<Response> {
  const it = source[Symbol.asyncIterator]();
  let first: IteratorResult<T>;
  try {
    first = await it.next();
  } catch (e) {
    return errorResponse(e, undefined, logger, shape.errorBody);
  }
  let pending: IteratorResult<T> | null = first;
  let ended = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      if (ended) return;
      try {
        // Items that map to no events are skipped without enqueuing an empty chunk.
        for (;;) {
          const r = pending ?? (await it.next());
          pending = null;
          if (r.done) {
            ended = true;
            const tail = shape.end?.() ?? [];
            if (tail.length) ctrl.enqueue(encodeEvents(tail));
            ctrl.close();
            return;
          }
          const events = shape.map(r.value);
          if (events.length) {
            ctrl.enqueue(encodeEvents(events));
            return;
          }
        }
      } catch (e) {
        ended = true;
        const a = errorAnswer(e);
        if (a.status >= 500) logFailure(logger, "stream failed", a);
        ctrl.enqueue(encodeEvents(shape.error(a)));
        ctrl.close();
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" },
  });
}
