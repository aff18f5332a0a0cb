/**
 * Answers for requests no route takes, as Ollama's gin router gives them (HandleMethodNotAllowed is on): a
 * known path asked with another method is 405 `405 method not allowed` with an Allow header, an unknown path
 * is 404 `404 page not found`, both plain text. HEAD is only served where a route declares it (gin does not
 * answer HEAD from a GET route). Under /v1 the API family's JSON error body is used instead.
 */
import { TsllmError } from "../errors.ts";
import { errorBodyFor } from "./error-shapes.ts";
import { errorResponse, ollamaErrorBody } from "./errors.ts";

/** One registered route. */
export interface RouteEntry {
  method: string;
  path: string;
}

/** A path served, but not with the request's method (405). */
export class MethodNotAllowedError extends TsllmError {
  constructor() {
    super("405 method not allowed", { code: "method_not_allowed", status: 405 });
  }
}

/** No route serves the path (404). */
export class PageNotFoundError extends TsllmError {
  constructor() {
    super("404 page not found", { code: "not_found", status: 404 });
  }
}

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

/** `/api/blobs/:digest` → a regex matching the path with or without a trailing slash. */
function pathPattern(path: string): RegExp {
  const body = path
    .split("/")
    .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg === "*" ? ".*" : escape(seg)))
    .join("/");
  return new RegExp(`^${body.replace(/\/$/, "")}/?$`);
}

/** The methods each path accepts, compiled from a live route list (recompiled when it grows). */
export class RouteTable {
  #compiled: { re: RegExp; method: string }[] = [];
  #seen = -1;

  /** `routes` is read on each lookup (plugins may still be added); `extra` are routes served outside it. */
  constructor(
    private readonly routes: () => readonly RouteEntry[],
    private readonly extra: readonly RouteEntry[] = [],
  ) {}

  /** Methods that serve `path`, in registration order; empty for an unknown path. */
  methodsFor(path: string): string[] {
    const all = this.routes();
    if (all.length !== this.#seen) {
      this.#seen = all.length;
      this.#compiled = [...all, ...this.extra]
        .filter((r) => r.path !== "*" && r.method !== "ALL")
        .map((r) => ({ re: pathPattern(r.path), method: r.method.toUpperCase() }));
    }
    return [...new Set(this.#compiled.filter((r) => r.re.test(path)).map((r) => r.method))];
  }

  /** The 405 answer when `req`'s path is served but not with its method; undefined otherwise. */
  refuseMethod(req: Request): Response | undefined {
    const path = new URL(req.url).pathname;
    const methods = this.methodsFor(path);
    if (methods.length === 0 || methods.includes(req.method)) return undefined;
    const res = routingError(new MethodNotAllowedError(), path);
    res.headers.set("allow", methods.join(", "));
    return res;
  }
}

/** The 404/405 answer for `path`: gin's plain text for Ollama's paths, the family's JSON under /v1. */
export function routingError(err: MethodNotAllowedError | PageNotFoundError, path: string): Response {
  const body = errorBodyFor(path);
  if (body !== ollamaErrorBody) return errorResponse(err, undefined, undefined, body);
  return new Response(err.message, { status: err.status, headers: { "content-type": "text/plain" } });
}
