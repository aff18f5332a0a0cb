/**
 * A request's JSON body under its limits: size (Content-Length first, then counted), the pause between
 * chunks, nesting depth, and big bodies parsed off the server's thread. A body refused half read marks the
 * connection to be closed after the answer, so the unread rest is never taken for the next request.
 */
import { TsllmError } from "../../errors.ts";
import { BodyCollector } from "./body-collector.ts";
import { declaredLength, readBody } from "./read-body.ts";
import { holdConnection, scopeOf } from "./scope.ts";

/** The parsed JSON body of `request` (400/408/413 naming the limit it broke). */
export async function readJsonBody(request: Request): Promise<unknown> {
  const scope = scopeOf(request);
  const { limits } = scope;
  const declared = declaredLength(request.headers);
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
