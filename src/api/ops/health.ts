/**
 * `GET /health` for load balancers and orchestrators: 200 `{"status":"ok"}` while serving, 503
 * `{"status":"draining"}` once shutdown has begun, so traffic moves elsewhere before the listener closes.
 * Served beside the Elysia app (it must answer while everything else is refused) and needs no key.
 */
import { errorBodyFor } from "../error-shapes.ts";
import { errorResponse } from "../errors.ts";
import { requestPath } from "../guard/guard.ts";
import { currentRequest } from "../../observe/request-record.ts";
import type { RouteEntry } from "../routing.ts";
import { ServerShuttingDownError } from "./errors.ts";
import type { ServeState } from "./serve-state.ts";

/** The health route's path. */
export const HEALTH_PATH = "/health";

/** The routes served here (for 405 answers and the scope table). */
export const HEALTH_ROUTES: readonly RouteEntry[] = [
  { method: "GET", path: HEALTH_PATH },
  { method: "HEAD", path: HEALTH_PATH },
];

function isHealth(req: Request, path: string): boolean {
  return (req.method === "GET" || req.method === "HEAD") && (path === HEALTH_PATH || path === "/health/");
}

/** The health answer for `state` (HEAD: same status and headers, no body). */
export function healthResponse(state: ServeState, head = false): Response {
  const status = state.draining ? 503 : 200;
  const body = JSON.stringify({ status: state.draining ? "draining" : "ok" });
  return new Response(head ? null : body, {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

/**
 * `next` behind the drain: /health is answered here; while draining every other request gets 503 with the
 * API family's error body and `connection: close` (so a kept-alive client reconnects elsewhere).
 */
export function drainGate(
  state: ServeState,
  next: (req: Request) => Promise<Response>,
): (req: Request) => Promise<Response> {
  return async (req) => {
    const path = requestPath(req.url);
    if (isHealth(req, path)) {
      const record = currentRequest();
      if (record) record.route = HEALTH_PATH;
      return healthResponse(state, req.method === "HEAD");
    }
    if (!state.draining) return next(req);
    const res = errorResponse(new ServerShuttingDownError(), undefined, undefined, errorBodyFor(path));
    res.headers.set("connection", "close");
    return res;
  };
}
