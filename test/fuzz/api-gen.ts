/**
 * The API fuzzer's request generator: request `i` of a seeded run is a route drawn from the app's own route
 * list, its valid base request, and zero to three mutations. Everything comes from `Rng.derive(seed, i)`, so
 * `generateRequest(seed, i, …)` rebuilds any one request exactly.
 */
import type { RouteEntry } from "../../src/api/routing.ts";
import { toJson } from "./gen-json.ts";
import { Rng } from "./gen-rng.ts";
import { type Draft, mutate } from "./api-mutate.ts";
import { type FuzzContext, fallbackSpec, ROUTES, type RouteSpec } from "./api-routes.ts";

/** One generated request, ready to send. */
export interface FuzzRequest {
  /** Its index in the run (with the seed, all it takes to rebuild it). */
  index: number;
  /** The route it was built from, `METHOD /path` as registered. */
  route: string;
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  /** What was done to the route's valid base request (empty: sent as is). */
  labels: string[];
}

/** Every route the app registers plus the blob upload served beside it, as `METHOD /path` keys. */
export function routeKeys(routes: readonly RouteEntry[]): string[] {
  const keys = routes
    .filter((r) => r.path !== "*" && r.method !== "ALL")
    .map((r) => `${r.method.toUpperCase()} ${r.path}`);
  return [...new Set([...keys, "POST /api/blobs/:digest"])];
}

/** The spec for a route key (the table's, or a fallback for routes added since it was written). */
export function specFor(key: string): RouteSpec {
  const [method, path] = key.split(" ") as [string, string];
  return ROUTES[key] ?? fallbackSpec(method, path);
}

/** Routes that generate text get this much more traffic than a GET: they have the most fields. */
function weightOf(key: string): number {
  const spec = specFor(key);
  if (spec.bounded) return 4;
  if (spec.extras || spec.param) return 3;
  return key.startsWith("GET") || key.startsWith("HEAD") ? 1 : 2;
}

/** Builds request `index` of the run seeded with `seed`. */
export function generateRequest(
  seed: number,
  index: number,
  routes: readonly string[],
  ctx: FuzzContext,
): FuzzRequest {
  const rng = Rng.derive(seed, index);
  // The first requests visit every route once, so even a short run covers them all.
  const route =
    index < routes.length
      ? (routes[index] as string)
      : rng.weighted(routes.map((k) => [weightOf(k), k] as const));
  const n = rng.weighted([
    [1, 0],
    [5, 1],
    [3, 2],
    [1, 3],
  ] as const);
  return build(rng, index, route, ctx, n);
}

/** The route's valid base request, unmutated (what every mutation starts from). */
export function baseRequest(seed: number, route: string, ctx: FuzzContext): FuzzRequest {
  return build(Rng.derive(seed, -1), -1, route, ctx, 0);
}

function build(rng: Rng, index: number, route: string, ctx: FuzzContext, mutations: number): FuzzRequest {
  const spec = specFor(route);
  const base = spec.base(rng, ctx);
  const d: Draft = {
    method: route.split(" ")[0] as string,
    path: base.path,
    headers: base.body !== undefined ? { "content-type": "application/json" } : {},
    tree: base.body,
    raw: base.raw,
    labels: [],
  };
  mutate(d, mutations, rng, ctx, spec);
  // fetch() refuses a body on GET, HEAD and OPTIONS.
  const hasBody =
    !["GET", "HEAD", "OPTIONS"].includes(d.method) && (d.raw !== undefined || d.tree !== undefined);
  const body = !hasBody ? undefined : (d.raw ?? new TextEncoder().encode(toJson(d.tree)));
  return { index, route, method: d.method, path: d.path, headers: d.headers, body, labels: d.labels };
}
