/**
 * Which key each route needs once API keys are configured: `open` (no key), `inference` (any key) or
 * `admin` (a key allowed to change the model store). Every route the app serves must be listed here; a
 * test walks the app's routes and fails on one missing. At run time a registered route missing from the
 * table is treated as admin (closed), and a path no route serves needs a key before it learns that (404).
 */
import type { KeyScope } from "./keys.ts";

/** What a route needs. */
export type RouteScope = "open" | KeyScope;

/** One table row: method, path pattern as registered (`:param` one segment, `*` the rest), scope. */
export interface ScopeRule {
  method: string;
  path: string;
  scope: RouteScope;
}

const rule = (method: string, path: string, scope: RouteScope): ScopeRule => ({ method, path, scope });

/** The route → scope table. */
export const ROUTE_SCOPES: readonly ScopeRule[] = [
  rule("GET", "/", "open"),
  rule("HEAD", "/", "open"),
  rule("GET", "/api/version", "open"),
  rule("HEAD", "/api/version", "open"),
  // The web UI's static files (its API calls carry the key the user enters in it).
  rule("GET", "/ui", "open"),
  rule("HEAD", "/ui", "open"),
  rule("GET", "/ui/*", "open"),
  rule("HEAD", "/ui/*", "open"),
  // Load balancers probe health without credentials (it says only whether the server takes requests).
  rule("GET", "/health", "open"),
  rule("HEAD", "/health", "open"),
  // The model store: anything that adds, changes or removes a model or a blob.
  rule("POST", "/api/create", "admin"),
  rule("POST", "/api/pull", "admin"),
  rule("POST", "/api/push", "admin"),
  rule("POST", "/api/copy", "admin"),
  rule("DELETE", "/api/delete", "admin"),
  rule("POST", "/api/blobs/:digest", "admin"),
  rule("HEAD", "/api/blobs/:digest", "admin"),
  // Ollama's inference and read-only routes.
  rule("POST", "/api/generate", "inference"),
  rule("POST", "/api/chat", "inference"),
  rule("POST", "/api/embed", "inference"),
  rule("POST", "/api/embeddings", "inference"),
  rule("POST", "/api/rerank", "inference"),
  rule("POST", "/api/show", "inference"),
  rule("GET", "/api/tags", "inference"),
  rule("HEAD", "/api/tags", "inference"),
  rule("GET", "/api/ps", "inference"),
  // Operations: what is loaded and what it is doing (model names and counts, no prompts), for any key.
  rule("GET", "/api/slots", "inference"),
  rule("GET", "/metrics", "inference"),
  rule("GET", "/metrics/llamacpp", "inference"),
  rule("POST", "/api/tokenize", "inference"),
  rule("POST", "/api/detokenize", "inference"),
  // Anthropic.
  rule("POST", "/v1/messages", "inference"),
  rule("POST", "/v1/messages/count_tokens", "inference"),
  // OpenAI.
  rule("POST", "/v1/chat/completions", "inference"),
  rule("POST", "/v1/completions", "inference"),
  rule("POST", "/v1/embeddings", "inference"),
  rule("POST", "/v1/rerank", "inference"),
  rule("GET", "/v1/models", "inference"),
  rule("GET", "/v1/models/*", "inference"),
  rule("POST", "/v1/responses", "inference"),
  rule("GET", "/v1/responses/:id", "inference"),
  rule("DELETE", "/v1/responses/:id", "inference"),
];

/** The scope declared for a route exactly as registered (method + pattern), or undefined. */
export function declaredScope(method: string, pattern: string): RouteScope | undefined {
  return ROUTE_SCOPES.find((r) => r.method === method.toUpperCase() && r.path === pattern)?.scope;
}

/** A compiled lookup: exact paths in a map, parameterised ones as regular expressions. */
export class ScopeTable {
  readonly #exact = new Map<string, RouteScope>();
  readonly #patterns: { method: string; re: RegExp; scope: RouteScope }[] = [];

  constructor(rules: readonly ScopeRule[] = ROUTE_SCOPES) {
    for (const r of rules) {
      if (!/[:*]/.test(r.path)) {
        this.#exact.set(`${r.method} ${r.path}`, r.scope);
        continue;
      }
      const body = r.path
        .split("/")
        .map((s) =>
          s.startsWith(":") ? "[^/]+" : s === "*" ? ".*" : s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"),
        )
        .join("/");
      this.#patterns.push({ method: r.method, re: new RegExp(`^${body}$`), scope: r.scope });
    }
  }

  /** The scope of a request path (raw, as the router sees it; one trailing slash ignored), or undefined. */
  lookup(method: string, path: string): RouteScope | undefined {
    const p = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
    const exact = this.#exact.get(`${method} ${p}`);
    if (exact !== undefined) return exact;
    for (const r of this.#patterns) if (r.method === method && r.re.test(p)) return r.scope;
    return undefined;
  }
}
