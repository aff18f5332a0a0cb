/**
 * NDJSON streaming (the only place that knows the format): the first record is awaited before the
 * response starts, so an early failure is a normal JSON error with its status; a later failure becomes a
 * final `{"error": …}` line. Cancelling the response (client gone) ends the source iterator.
 */
import { errorAnswer, logFailure } from "./errors.ts";
import { errorResponse } from "./errors.ts";
import type { Logger } from "../log.ts";

const enc = new TextEncoder();
const line = (v: unknown) => enc.encode(`${JSON.stringify(v)}\n`);

/** Streams `source` mapped through `map` as application/x-ndjson. */
export async function ndjsonResponse<T>(
  source: AsyncIterable<T>,
  map: (item: T) => unknown,
  logger?: Logger,
): Promise<Response> {
  const it = source[Symbol.asyncIterator]();
  let first: IteratorResult<T>;
  try {
    first = await it.next();
  } catch (e) {
    return errorResponse(e, undefined, logger);
  }
  let pending: IteratorResult<T> | null = first;
  const stream = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      try {
        const r = pending ?? (await it.next());
        pending = null;
        if (r.done) ctrl.close();
        else ctrl.enqueue(line(map(r.value)));
      } catch (e) {
        const a = errorAnswer(e);
        if (a.status >= 500) logFailure(logger, "stream failed", a);
        ctrl.enqueue(line({ error: a.message }));
        ctrl.close();
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
  return new Response(stream, { headers: { "content-type": "application/x-ndjson" } });
}

/** Consumes `source` and returns its last item (create's `stream: false`). */
export async function lastOf<T>(source: AsyncIterable<T>): Promise<T | undefined> {
  let last: T | undefined;
  for await (const v of source) last = v;
  return last;
}
