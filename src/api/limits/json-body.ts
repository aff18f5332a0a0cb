/**
 * A request's JSON body under its limits: size (Content-Length first, then counted), the pause between
 * chunks, nesting depth, and big bodies parsed off the server's thread. A body refused half read marks the
 * connection to be closed after the answer, so the unread rest is never taken for the next request.
 */
import { TsllmError } from "../../errors.ts";
import { BodyCollector, WORKER_THRESHOLD } from "./body-collector.ts";
import { outcomeValue, parseJsonBytes } from "./parse-json.ts";
import { declaredLength, readBody, withinBodyTimeout } from "./read-body.ts";
import { holdConnection, type RequestScope, scopeOf } from "./scope.ts";

/** The parsed JSON body of `request` (400/408/413 naming the limit it broke). */
export async function readJsonBody(request: Request): Promise<unknown> {
  const scope = scopeOf(request);
  const { limits } = scope;
  const declared = declaredLength(request.headers);
  if (declared !== undefined && declared < WORKER_THRESHOLD && declared <= limits.maxBody)
    return readSmallBody(request, scope, declared);
  // Refused by its Content-Length before a parse worker is asked to expect it.
  const fits = declared === undefined || declared <= limits.maxBody;
  const body = new BodyCollector(scope.parser, undefined, fits ? declared : undefined);
  try {
    await readBody(
      request.body,
      { maxBytes: limits.maxBody, pauseMs: limits.bodyTimeoutMs },
      (chunk) => body.push(chunk),
      declared,
    );
  } catch (e) {
    body.abort();
    if (e instanceof TsllmError) scope.closeConnection = true;
    throw e;
  }
  // Without a body timeout Bun's idle timer watched the read (limiter.ts); the answer may take its time.
  holdConnection(request, scope);
  return body.finish(limits.maxJsonDepth);
}

/**
 * A body whose Content-Length says it is small (parsed in place) is read in one call, which costs a request
 * a fraction of a chunk-by-chunk read. The body timeout then bounds the whole read: such a body is one or
 * a few packets, so a client that takes longer is the trickle the timeout is for. Bun holds the body to its
 * declared length.
 */
async function readSmallBody(request: Request, scope: RequestScope, declared: number): Promise<unknown> {
  const { limits } = scope;
  let bytes: Uint8Array = new Uint8Array(0);
  if (declared > 0 && request.body !== null) {
    try {
      bytes = await withinBodyTimeout(request.bytes(), limits.bodyTimeoutMs);
    } catch (e) {
      // The rest of a body never read must not be taken for the next request on this connection.
      if (e instanceof TsllmError) scope.closeConnection = true;
      throw e;
    }
  }
  holdConnection(request, scope);
  return outcomeValue(parseJsonBytes(bytes, limits.maxJsonDepth), limits.maxJsonDepth);
}
