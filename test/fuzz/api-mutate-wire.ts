/**
 * Mutations of a request's bytes (truncated, random, invalid UTF-8, padded, BOM) and of its envelope
 * (Content-Type and other headers, the path parameter, the method, path noise).
 */
import { toJson } from "./gen-json.ts";
import { ODD_NAMES, oddDigests } from "./gen-values.ts";
import { bytesOf, type Mutation, short } from "./api-mutate-tree.ts";

const truncate: Mutation = (d, rng) => {
  const b = bytesOf(d);
  if (b.length < 2) return undefined;
  const at = rng.int(b.length - 1) + 1;
  d.raw = b.slice(0, at);
  return `truncated at ${at}/${b.length}`;
};

const randomBytes: Mutation = (d, rng) => {
  d.raw = rng.bytes(rng.pick([0, 1, 7, 100, 4096]));
  return `random bytes (${d.raw.length})`;
};

const badUtf8: Mutation = (d, rng) => {
  const text = toJson(d.tree ?? {});
  const at = text.indexOf('"', 1);
  const enc = new TextEncoder();
  const junk = rng.pick([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]]);
  if (at < 0) return undefined;
  d.raw = new Uint8Array([...enc.encode(text.slice(0, at + 1)), ...junk, ...enc.encode(text.slice(at + 1))]);
  return `invalid UTF-8 ${junk.map((x) => x.toString(16)).join(" ")}`;
};

const padding: Mutation = (d, rng, ctx) => {
  const pad = rng.pick([" ", "\n", "\ufeff"]);
  const n = Math.min(ctx.maxString, 2 ** rng.range(10, 22));
  d.raw = new TextEncoder().encode(
    pad === "\ufeff"
      ? `\ufeff${toJson(d.tree ?? {})}`
      : `${pad.repeat(n)}${toJson(d.tree ?? {})}${pad.repeat(n)}`,
  );
  return pad === "\ufeff" ? "BOM" : `padded with ${2 * n} whitespace`;
};

const contentType: Mutation = (d, rng) => {
  const ct = rng.pick([
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/octet-stream",
    "application/json; charset=utf-16",
    "application/xml",
    "",
    "none",
  ]);
  if (ct === "none") delete d.headers["content-type"];
  else d.headers["content-type"] = ct;
  return `content-type ${ct || '""'}`;
};

const headers: Mutation = (d, rng) => {
  const [k, v] = rng.pick<[string, string]>([
    ["content-encoding", "gzip"],
    ["content-encoding", "br"],
    ["authorization", "Bearer x"],
    ["x-api-key", "\u00ff".repeat(10)],
    ["origin", "http://evil.example"],
    ["x-huge", "h".repeat(16 * 1024)],
    ["accept", "text/event-stream"],
    ["anthropic-version", "1999-01-01"],
  ]);
  d.headers[k] = v;
  return `header ${k}: ${v.length > 20 ? `${v.slice(0, 10)}…(${v.length})` : v}`;
};

const pathParam: Mutation = (d, rng, _ctx, spec) => {
  if (!spec.param) return undefined;
  const pool = spec.param === "digest" ? oddDigests(rng) : [...ODD_NAMES, "resp_", "x".repeat(5000)];
  const v = rng.pick(pool);
  const enc = rng.chance(0.5) ? encodeURIComponent(v) : v.replace(/[^\x21-\x7e]/g, encodeURIComponent);
  const cut = d.path.lastIndexOf(spec.param === "model" ? "/v1/models/" : "/");
  d.path = spec.param === "model" ? `/v1/models/${enc}` : `${d.path.slice(0, cut + 1)}${enc}`;
  return `path ${short(v)}`;
};

const method: Mutation = (d, rng) => {
  d.method = rng.pick(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
  return `method ${d.method}`;
};

const pathNoise: Mutation = (d, rng) => {
  const p = rng.pick([
    `${d.path}/`,
    `${d.path}?model=../../etc&x=%00`,
    `/${d.path}`,
    d.path.toUpperCase(),
    `${d.path}/extra`,
    "/api/unknown",
    "/v1/unknown",
    "/v1/messages/unknown",
    `${d.path}%00`,
    `${d.path};x=1`,
  ]);
  d.path = p;
  return `path ${p.length > 60 ? `${p.slice(0, 57)}…` : p}`;
};

/** Mutations of the body bytes, by weight. */
export const BYTE_MUTATIONS: readonly (readonly [number, Mutation])[] = [
  [2, truncate],
  [1, randomBytes],
  [1, badUtf8],
  [1, padding],
];

/** Mutations of the method, path and headers, by weight. */
export const ENVELOPE_MUTATIONS: readonly (readonly [number, Mutation])[] = [
  [2, contentType],
  [1, headers],
  [3, pathParam],
  [1, method],
  [1, pathNoise],
];
