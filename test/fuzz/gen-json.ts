/**
 * JSON text the fuzzers control byte for byte: values JSON.stringify cannot write (numbers like 1e999 or
 * 2^64, 10,000-deep nesting, duplicate keys) are held as `Raw` text or `DupKeys` pairs inside an ordinary
 * value tree, and `toJson` writes the tree.
 */

/** JSON text inserted verbatim. */
export class Raw {
  constructor(readonly text: string) {}
}

/** An object written with its pairs in order, repeated keys included. */
export class DupKeys {
  constructor(readonly pairs: readonly (readonly [string, unknown])[]) {}
}

/** A value tree `toJson` can write. */
export type JsonTree = unknown;

/** Nesting `depth` arrays (`[[[…]]]`) or objects (`{"a":{"a":…}}`) as raw text. */
export function deepJson(depth: number, kind: "array" | "object" = "array"): Raw {
  if (kind === "array") return new Raw(`${"[".repeat(depth)}${"]".repeat(depth)}`);
  return new Raw(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);
}

/** Writes `v` as JSON text (undefined object fields are skipped, as JSON.stringify does). */
export function toJson(v: JsonTree): string {
  if (v instanceof Raw) return v.text;
  if (v instanceof DupKeys)
    return `{${v.pairs.map(([k, x]) => `${JSON.stringify(k)}:${toJson(x ?? null)}`).join(",")}}`;
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? "null" : toJson(x))).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v))
      if (x !== undefined) parts.push(`${JSON.stringify(k)}:${toJson(x)}`);
    return `{${parts.join(",")}}`;
  }
  if (typeof v === "number" && !Number.isFinite(v)) return "null";
  return JSON.stringify(v) ?? "null";
}

/** A deep copy of a value tree (Raw and DupKeys are immutable and shared). */
export function clone<T>(v: T): T {
  if (v instanceof Raw || v instanceof DupKeys || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
}

/** A path into a value tree: object keys and array indices. */
export type TreePath = (string | number)[];

/** Every path to a value inside `v` (objects and arrays, `maxDepth` levels deep), parents first. */
export function pathsOf(v: JsonTree, maxDepth = 4, at: TreePath = []): TreePath[] {
  if (
    at.length >= maxDepth ||
    v === null ||
    typeof v !== "object" ||
    v instanceof Raw ||
    v instanceof DupKeys
  )
    return [];
  const out: TreePath[] = [];
  const entries: [string | number, unknown][] = Array.isArray(v)
    ? v.map((x, i) => [i, x])
    : Object.entries(v as Record<string, unknown>);
  for (const [k, x] of entries) {
    const p = [...at, k];
    out.push(p, ...pathsOf(x, maxDepth, p));
  }
  return out;
}

/** The value at `path`, or undefined. */
export function getAt(v: JsonTree, path: TreePath): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

/** `v` with the value at `path` replaced (a fresh tree; `undefined` removes the field). */
export function setAt(v: JsonTree, path: TreePath, value: unknown): JsonTree {
  if (path.length === 0) return value;
  const [k, ...rest] = path as [string | number, ...TreePath];
  const base = v !== null && typeof v === "object" && !(v instanceof Raw) && !(v instanceof DupKeys) ? v : {};
  const copy = (Array.isArray(base) ? [...base] : { ...base }) as Record<string | number, unknown>;
  const next = setAt(copy[k], rest, value);
  if (next === undefined && !Array.isArray(copy)) delete copy[k];
  else copy[k] = next;
  return copy;
}
