/**
 * Request ids: a client's (or a proxy's) `X-Request-Id` is kept when it is a plain token, so one id follows a
 * request across services; anything else is replaced by a fresh id (a header value is never logged as sent).
 */

/** The request and response header that carries the id. */
export const REQUEST_ID_HEADER = "x-request-id";

const SANE = /^[A-Za-z0-9._-]{1,128}$/;

/** Whether `id` may be used as sent: 1–128 characters of letters, digits, `.`, `_` and `-`. */
export function isSaneRequestId(id: string): boolean {
  return SANE.test(id);
}

/** A fresh id: 72 random bits as 12 URL-safe characters (collisions are not a practical concern). */
export function newRequestId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(9))).toString("base64url");
}

/** The id for `req`: its sane `X-Request-Id`, else a fresh one. */
export function requestIdFor(req: Request): string {
  const sent = req.headers.get(REQUEST_ID_HEADER);
  return sent !== null && isSaneRequestId(sent) ? sent : newRequestId();
}
