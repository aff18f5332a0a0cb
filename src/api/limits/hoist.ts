/**
 * A parsed body split for the trip back from a parse worker. Structured clone of a nested value costs the
 * receiving thread about as much as the value is big (a 60 MB prompt inside an object: ~0.4 s of the
 * server's thread), while Bun hands over a flat object of strings almost for free. So the worker sends the
 * value's big strings as flat fields and the rest as a small JSON skeleton with the strings' paths; the
 * server's thread parses the skeleton and puts the strings back by path.
 */

/** Strings at least this long (UTF-16 units) travel as flat fields. */
const HOIST_MIN = 64 * 1024;
/** Most strings hoisted (a flat message with thousands of fields loses Bun's fast path). */
const HOIST_MAX = 256;

type Key = string | number;
type Container = Record<string, unknown> | unknown[];

/** The flat message fields: `skeleton` and `paths` as JSON text, the strings as `s0`, `s1`, … */
export type Hoisted = { skeleton: string; paths: string } & Record<`s${number}`, string>;

/** Splits `value` into a skeleton and its big strings (the value's containers are modified in place). */
export function hoistStrings(value: unknown): Hoisted {
  const out: Record<string, string> = {};
  const paths: Key[][] = [];
  if (typeof value === "string" && value.length >= HOIST_MIN) {
    out.s0 = value;
    return { ...out, skeleton: "null", paths: "[[]]" } as Hoisted;
  }
  // Iterative walk: the depth is bounded before parsing, but a stack of our own costs nothing.
  const stack: { node: Container; path: Key[] }[] = [];
  if (typeof value === "object" && value !== null) stack.push({ node: value as Container, path: [] });
  while (stack.length > 0 && paths.length < HOIST_MAX) {
    const { node, path } = stack.pop() as { node: Container; path: Key[] };
    const keys: Key[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    for (const k of keys) {
      const v = (node as Record<Key, unknown>)[k];
      if (typeof v === "string") {
        if (v.length < HOIST_MIN || paths.length >= HOIST_MAX) continue;
        out[`s${paths.length}`] = v;
        paths.push([...path, k]);
        (node as Record<Key, unknown>)[k] = null;
      } else if (typeof v === "object" && v !== null)
        stack.push({ node: v as Container, path: [...path, k] });
    }
  }
  return { ...out, skeleton: JSON.stringify(value), paths: JSON.stringify(paths) } as Hoisted;
}

/** The value `hoistStrings` split, put back together. */
export function restoreStrings(h: Hoisted): unknown {
  const paths = JSON.parse(h.paths) as Key[][];
  let root: unknown = JSON.parse(h.skeleton);
  paths.forEach((path, i) => {
    const s = h[`s${i}`];
    if (path.length === 0) {
      root = s;
      return;
    }
    let node = root as Record<Key, unknown>;
    for (const k of path.slice(0, -1)) node = node[k] as Record<Key, unknown>;
    node[path[path.length - 1] as Key] = s;
  });
  return root;
}
