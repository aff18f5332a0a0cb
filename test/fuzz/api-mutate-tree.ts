/**
 * Mutations of a request's JSON tree: a field's type or value, valid-but-weird optional fields, absurd
 * Ollama options, out-of-vocabulary token ids, another model, a missing field, duplicate keys, another
 * top-level shape, deep nesting, a huge string.
 */
import { deepJson, DupKeys, getAt, type JsonTree, pathsOf, Raw, setAt, toJson } from "./gen-json.ts";
import type { Rng } from "./gen-rng.ts";
import { ABSURD_OPTIONS, hugeString, ODD_NAMES, oddValue, wrongType } from "./gen-values.ts";
import type { FuzzContext, RouteSpec } from "./api-routes.ts";

/** A request being built: the JSON tree until a byte-level mutation replaces it with `raw`. */
export interface Draft {
  method: string;
  path: string;
  headers: Record<string, string>;
  tree?: JsonTree;
  raw?: Uint8Array;
  /** What was done to the base request, in order. */
  labels: string[];
}

/** One mutation: changes the draft, returns its label (undefined when it does not apply). */
export type Mutation = (d: Draft, rng: Rng, ctx: FuzzContext, spec: RouteSpec) => string | undefined;

/** A plain JSON object (not an array, raw text or duplicate-key object). */
export const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Raw) && !(v instanceof DupKeys);
const MODEL_FIELDS = ["model", "name", "source", "destination", "from"];
/** The draft's body as bytes. */
export const bytesOf = (d: Draft): Uint8Array => d.raw ?? new TextEncoder().encode(toJson(d.tree ?? null));
/** A value shortened for a label. */
export const short = (v: unknown) => {
  const s = toJson(v);
  return s.length > 40 ? `${s.slice(0, 37)}…(${s.length} chars)` : s;
};

const field: Mutation = (d, rng, ctx) => {
  const paths = pathsOf(d.tree);
  if (paths.length === 0) return undefined;
  const p = rng.pick(paths);
  const v = oddValue(rng, getAt(d.tree, p), ctx.maxString);
  d.tree = setAt(d.tree, p, v);
  return `${p.join(".")}=${short(v)}`;
};

const extras: Mutation = (d, rng, ctx, spec) => {
  if (!spec.extras || !isObj(d.tree)) return undefined;
  const all = Object.entries(spec.extras(rng, ctx));
  const chosen = all.filter(() => rng.chance(0.35)).slice(0, 4);
  if (chosen.length === 0) chosen.push(rng.pick(all));
  d.tree = { ...d.tree, ...Object.fromEntries(chosen) };
  return `with ${chosen.map(([k]) => k).join(",")}`;
};

/** Absurd Ollama options; on /api/create they go into the stored `parameters` (used by later loads). */
const options: Mutation = (d, rng) => {
  if (!isObj(d.tree)) return undefined;
  const key = d.path === "/api/create" ? "parameters" : "options";
  const picked = [rng.pick(ABSURD_OPTIONS), ...(rng.chance(0.3) ? [rng.pick(ABSURD_OPTIONS)] : [])];
  const opts = isObj(d.tree[key]) ? { ...d.tree[key] } : {};
  for (const [k, v] of picked) opts[k] = v;
  d.tree = { ...d.tree, [key]: opts };
  return `${key} ${picked.map(([k, v]) => `${k}=${short(v)}`).join(" ")}`;
};

const BAD_IDS = [1_000_000_000, -1, 2 ** 31, 2 ** 31 - 1, 32000, 151_936, 2 ** 53, 0];

/** Out-of-vocabulary token ids where a route takes ids: context, detokenize, embedding input, logit_bias. */
const tokenIds: Mutation = (d, rng, _ctx, spec) => {
  const takesIds = ["/api/generate", "/api/detokenize", "/v1/embeddings"].includes(d.path);
  if (
    !isObj(d.tree) ||
    !(takesIds || (d.path.startsWith("/v1/") && !d.path.startsWith("/v1/messages") && spec.bounded))
  )
    return undefined;
  const ids = [1, rng.pick(BAD_IDS), ...(rng.chance(0.3) ? [rng.pick(BAD_IDS)] : [])];
  const path = d.path;
  if (path === "/api/detokenize") d.tree = { ...d.tree, tokens: ids };
  else if (path === "/v1/embeddings") d.tree = { ...d.tree, input: rng.chance(0.5) ? ids : [ids] };
  else if (path.startsWith("/v1/")) {
    d.tree = { ...d.tree, logit_bias: Object.fromEntries(ids.map((id) => [String(id), 100])) };
    return `logit_bias ids ${ids.join(",")}`;
  } else d.tree = { ...d.tree, context: ids };
  return `token ids ${ids.join(",")}`;
};

const swapModel: Mutation = (d, rng, ctx, spec) => {
  if (!isObj(d.tree) || spec.destructive || typeof d.tree.model !== "string") return undefined;
  const to = rng.pick([ctx.chat, ctx.embed, ...ctx.scratch, ctx.chat.toUpperCase(), `${ctx.chat}:latest`]);
  d.tree = { ...d.tree, model: to };
  return `model=${to}`;
};

const remove: Mutation = (d, rng) => {
  if (!isObj(d.tree) || Object.keys(d.tree).length === 0) return undefined;
  const k = rng.pick(Object.keys(d.tree));
  const { [k]: _gone, ...rest } = d.tree;
  d.tree = rest;
  return `without ${k}`;
};

const dupKeys: Mutation = (d, rng) => {
  if (!isObj(d.tree) || Object.keys(d.tree).length === 0) return undefined;
  const entries = Object.entries(d.tree);
  const [k, v] = rng.pick(entries);
  const other = MODEL_FIELDS.includes(k) ? rng.pick(ODD_NAMES) : oddValue(rng, v, 1024);
  const pairs: [string, unknown][] = rng.chance(0.5) ? [...entries, [k, other]] : [[k, other], ...entries];
  d.tree = new DupKeys(pairs);
  return `duplicate key ${k}=${short(other)}`;
};

const shape: Mutation = (d, rng) => {
  const v = rng.pick<JsonTree>([[], [d.tree], null, "string", 42, true, wrongType(rng, d.tree), {}]);
  d.tree = v;
  return `body=${short(v)}`;
};

const deep: Mutation = (d, rng) => {
  const depth = rng.pick([1000, 10_000, 100_000]);
  const kind = rng.pick(["array", "object"] as const);
  const paths = pathsOf(d.tree, 2);
  if (paths.length && rng.chance(0.6)) {
    const p = rng.pick(paths);
    d.tree = setAt(d.tree, p, deepJson(depth, kind));
    return `${p.join(".")}=deep ${kind} ${depth}`;
  }
  d.tree = deepJson(depth, kind);
  return `body=deep ${kind} ${depth}`;
};

const hugeField: Mutation = (d, rng, ctx) => {
  if (!isObj(d.tree)) return undefined;
  const k = rng.pick([...Object.keys(d.tree), "pad"]);
  const s = hugeString(rng, ctx.maxString);
  d.tree = { ...d.tree, [k]: s };
  return `${k}=huge string (${Buffer.byteLength(s)} bytes)`;
};

/** Mutations of the JSON tree, by weight. */
export const TREE_MUTATIONS: readonly (readonly [number, Mutation])[] = [
  [10, field],
  [5, extras],
  [8, options],
  [5, tokenIds],
  [2, swapModel],
  [3, remove],
  [2, dupKeys],
  [2, shape],
  [2, deep],
  [1, hugeField],
];
