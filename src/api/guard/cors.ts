/**
 * CORS answers for allowed origins: the preflight (204) and the headers added to real responses. The
 * request headers allowed are the ones browser clients of the three APIs send: Ollama's list, the OpenAI
 * and Anthropic SDKs' (`anthropic-*`, `openai-*`, `x-api-key`, `idempotency-key`) and every
 * `x-stainless-*` header their generated clients add (new ones appear between SDK versions).
 */

/** Request headers a browser may send (beyond the CORS-safelisted ones), lower case. */
export const ALLOWED_HEADERS: readonly string[] = [
  "authorization",
  "content-type",
  "user-agent",
  "accept",
  "x-requested-with",
  "x-api-key",
  "anthropic-version",
  "anthropic-beta",
  "anthropic-dangerous-direct-browser-access",
  "openai-beta",
  "openai-organization",
  "openai-project",
  "idempotency-key",
  "x-stainless-arch",
  "x-stainless-async",
  "x-stainless-custom-poll-interval",
  "x-stainless-helper",
  "x-stainless-helper-method",
  "x-stainless-lang",
  "x-stainless-os",
  "x-stainless-package-version",
  "x-stainless-poll-helper",
  "x-stainless-retry-count",
  "x-stainless-runtime",
  "x-stainless-runtime-version",
  "x-stainless-timeout",
];

const KNOWN = new Set(ALLOWED_HEADERS);
const BASE_LIST = ALLOWED_HEADERS.join(", ");
const METHODS = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS";
/** Twelve hours, gin-contrib/cors's default (browsers cap it lower). */
const MAX_AGE = "43200";

/** The allowed headers, plus the `x-stainless-*` ones this preflight asks for that the list lacks. */
function allowHeaders(requested: string | null): string {
  if (!requested) return BASE_LIST;
  const extra = requested
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => /^x-stainless-[a-z0-9-]+$/.test(h) && !KNOWN.has(h));
  return extra.length ? `${BASE_LIST}, ${extra.join(", ")}` : BASE_LIST;
}

/** The 204 answer to a preflight from an allowed origin (answered before any key check). */
export function preflight(req: Request, origin: string): Response {
  const headers = new Headers({
    "access-control-allow-origin": origin,
    "access-control-allow-methods": METHODS,
    "access-control-allow-headers": allowHeaders(req.headers.get("access-control-request-headers")),
    "access-control-max-age": MAX_AGE,
    vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
  });
  // Chrome's Private Network Access: a public page asking for a loopback/LAN server says so.
  if (req.headers.get("access-control-request-private-network") === "true")
    headers.set("access-control-allow-private-network", "true");
  return new Response(null, { status: 204, headers });
}

/** Adds the CORS headers for an allowed origin to a real response (copying it when its headers are frozen). */
export function withCors(res: Response, origin: string): Response {
  try {
    res.headers.set("access-control-allow-origin", origin);
    // Browser apps may read the request id (it names the request-log line of this answer).
    res.headers.set("access-control-expose-headers", "X-Request-Id");
    res.headers.append("vary", "Origin");
    return res;
  } catch {
    const copy = new Response(res.body, res);
    copy.headers.set("access-control-allow-origin", origin);
    copy.headers.set("access-control-expose-headers", "X-Request-Id");
    copy.headers.append("vary", "Origin");
    return copy;
  }
}
