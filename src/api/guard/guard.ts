/**
 * The access guard in front of every route (blob uploads included), cheapest and widest checks first:
 * Host (DNS rebinding) → Origin allow list (or same origin) → CORS preflight (answered before keys:
 * browsers send no credentials on it) → cross-site simple writes (CSRF) → API key and scope. Refusals use
 * the error shape of the path's API family; an allowed origin gets its CORS headers on every answer,
 * refusals included, so a browser app can read why it was refused.
 */
import type { TsllmError } from "../../errors.ts";
import { errorBodyFor } from "../error-shapes.ts";
import { errorResponse } from "../errors.ts";
import { checkKey } from "./auth.ts";
import { preflight, withCors } from "./cors.ts";
import { crossSiteWrite } from "./csrf.ts";
import { HostNotAllowedError, OriginNotAllowedError } from "./errors.ts";
import type { HostPolicy } from "./hosts.ts";
import type { KeyRing } from "./keys.ts";
import type { OriginPolicy } from "./origins.ts";
import { ScopeTable } from "./scopes.ts";

/** The compiled access settings (see config.ts for building them from the environment). */
export interface AccessOptions {
  hosts: HostPolicy;
  origins: OriginPolicy;
  keys: KeyRing;
  scopes?: ScopeTable;
}

/** Serves a request that passed the guard. */
export type Next = (req: Request) => Response | Promise<Response>;

/** A guard: answers a refused request itself, hands the others to `next`. */
export type Guard = (req: Request, next: Next) => Promise<Response>;

/** The path of a request URL as the router sees it: raw (not decoded), without the query. */
export function requestPath(url: string): string {
  const scheme = url.indexOf("://");
  const start = scheme < 0 ? url.indexOf("/") : url.indexOf("/", scheme + 3);
  if (start < 0) return "/";
  const query = url.indexOf("?", start);
  return query < 0 ? url.slice(start) : url.slice(start, query);
}

/** The authority of an absolute request URL (an absolute-form request target names its own), else null. */
function urlAuthority(url: string): string | null {
  const scheme = url.indexOf("://");
  if (scheme < 0) return null;
  const end = url.indexOf("/", scheme + 3);
  return url.slice(scheme + 3, end < 0 ? undefined : end);
}

/**
 * A page served from this server's own allowed name (behind a proxy, say) calling it: allowed, as
 * gin-contrib/cors does for Ollama — but only while the Host check restricts names, or a rebound name
 * would pass as its own origin.
 */
function sameOrigin(hosts: HostPolicy, origin: string, host: string | null): boolean {
  if (!hosts.restricted || !host) return false;
  const o = origin.toLowerCase();
  const h = host.toLowerCase();
  return o === `http://${h}` || o === `https://${h}`;
}

function refuse(err: TsllmError, path: string): Response {
  const res = errorResponse(err, undefined, undefined, errorBodyFor(path));
  if (err.status === 401) res.headers.set("www-authenticate", 'Bearer realm="tsllm"');
  return res;
}

/**
 * Builds the guard. `isRoute(method, path)` says whether the app serves that method and path: a served
 * route missing from the scope table then needs an admin key rather than any key.
 */
export function createGuard(o: AccessOptions, isRoute: (method: string, path: string) => boolean): Guard {
  const scopes = o.scopes ?? new ScopeTable();
  return async (req, next) => {
    const path = requestPath(req.url);
    const host = req.headers.get("host");
    if (!o.hosts.allows(host)) return refuse(new HostNotAllowedError(host as string), path);
    const authority = urlAuthority(req.url);
    if (authority !== null && authority !== host && !o.hosts.allows(authority))
      return refuse(new HostNotAllowedError(authority), path);
    const origin = req.headers.get("origin") || null;
    if (origin !== null && !o.origins.allows(origin) && !sameOrigin(o.hosts, origin, host))
      return refuse(new OriginNotAllowedError(origin), path);
    if (req.method === "OPTIONS") {
      if (origin !== null) return preflight(req, origin);
      return new Response(null, { status: 204 });
    }
    let refusal: TsllmError | undefined = crossSiteWrite(req, origin);
    if (refusal === undefined && o.keys.required) {
      const scope = scopes.lookup(req.method, path) ?? (isRoute(req.method, path) ? "admin" : "inference");
      refusal = checkKey(o.keys, scope, req, `${req.method} ${path.slice(0, 100)}`);
    }
    const res = refusal === undefined ? await next(req) : refuse(refusal, path);
    return origin === null ? res : withCors(res, origin);
  };
}
