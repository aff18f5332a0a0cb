/**
 * What one request runs under: its server's limits and parse pool, and Bun's handle on its connection (for
 * the idle timer). Bound to the Request by the server's fetch wrapper (limiter.ts) and looked up where only
 * the Request is at hand (Elysia's parse hook, route handlers). A request handled without a server (tests
 * calling `app.handle`) gets the declared defaults and in-place parsing.
 */
import type { Server } from "bun";
import type { JsonParsePool } from "./json-worker.ts";
import { DEFAULT_LIMITS, type RequestLimits } from "./settings.ts";

/** One request's limits and connection state. */
export interface RequestScope {
  limits: RequestLimits;
  parser?: JsonParsePool;
  server?: Server<unknown>;
  /** The connection's idle timer is off while this request reads its body and answers. */
  held: boolean;
  /** The body was refused unread or half read: the connection must not be reused. */
  closeConnection: boolean;
}

const scopes = new WeakMap<Request, RequestScope>();

/** Binds `scope` to `request` for the request's lifetime. */
export function bindScope(request: Request, scope: RequestScope): void {
  scopes.set(request, scope);
}

/** The scope bound to `request`, or a default one (not bound: nothing outlives the call). */
export function scopeOf(request: Request): RequestScope {
  return scopes.get(request) ?? { limits: DEFAULT_LIMITS, held: false, closeConnection: false };
}

/** The limits `request` runs under. */
export function limitsOf(request: Request): RequestLimits {
  return scopes.get(request)?.limits ?? DEFAULT_LIMITS;
}

/**
 * Turns the connection's idle timer off for this request: from here its body reader enforces the body
 * timeout, and its answer may pause for as long as the work takes (prompt processing, a pull) without the
 * connection being cut. The server's wrapper turns it back on when the answer ends.
 */
export function holdConnection(request: Request, scope: RequestScope = scopeOf(request)): void {
  if (scope.held || !scope.server) return;
  scope.server.timeout(request, 0);
  scope.held = true;
}
