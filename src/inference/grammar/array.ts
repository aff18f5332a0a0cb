/**
 * Array schemas as grammars: `items`, tuples (`prefixItems`, or draft-7 `items: [...]` with
 * `additionalItems`), minItems/maxItems. A tuple without minItems yields all its prefix items; items past the
 * prefix are generated only when `items` (or additionalItems) allows them explicitly. uniqueItems is enforced
 * where the item schema is a small finite set (each value at most once, in schema order) or at most one
 * item is allowed; otherwise it is a 400.
 */
import { InvalidSchemaError, UnsupportedSchemaError } from "../errors.ts";
import type { Converter } from "./converter-types.ts";
import { child, count, isSchemaObject, type Schema, type SchemaObject } from "./keywords.ts";
import { satisfies } from "./literal-check.ts";
import { jsonLiteral } from "./primitives.ts";

const MAX_UNIQUE_VALUES = 16;

/** The rule body for an array schema `s` at `path`. */
export function arrayBody(cv: Converter, s: SchemaObject, path: string, hint: string): string {
  const { b } = cv;
  b.prim("space");
  let prefix: Schema[] = [];
  let rest: Schema | undefined;
  let prefixKey = "prefixItems";
  if (s.prefixItems !== undefined) {
    if (!Array.isArray(s.prefixItems))
      throw new InvalidSchemaError(path, "prefixItems must be an array of schemas");
    prefix = s.prefixItems as Schema[];
    rest = s.items as Schema | undefined;
  } else if (Array.isArray(s.items)) {
    prefixKey = "items";
    prefix = s.items as Schema[];
    rest = s.additionalItems as Schema | undefined;
  } else rest = (s.items as Schema | undefined) ?? true;
  if (rest !== undefined && typeof rest !== "boolean" && !isSchemaObject(rest))
    throw new InvalidSchemaError(path, "items must be a schema");
  if (s.unevaluatedItems !== undefined && typeof s.unevaluatedItems !== "boolean")
    throw new UnsupportedSchemaError(path, "unevaluatedItems", "with a schema is not supported; use items");
  if (rest === false) rest = undefined;
  const k = prefix.length;
  let min = count(s, "minItems", path) ?? (rest === undefined || k > 0 ? k : 0);
  let max = count(s, "maxItems", path);
  if (rest === undefined) max = Math.min(max ?? k, k);
  if (max !== undefined && min > max) {
    if (s.minItems !== undefined)
      throw new UnsupportedSchemaError(path, "minItems", "cannot be met with the items allowed");
    min = max;
  }
  if (max === 0) return '"[" space "]"';
  let restName: string | undefined;
  const restRule = () =>
    (restName ??= cv.visit(
      rest as Schema,
      child(path, prefixKey === "items" ? "additionalItems" : "items"),
      `${hint}-item`,
    ));
  if (s.uniqueItems === true && (max === undefined || max > 1)) {
    const values = k === 0 ? finiteValues(cv, rest as Schema, path) : undefined;
    if (!values)
      throw new UnsupportedSchemaError(
        path,
        "uniqueItems",
        `is enforced only for items from a finite set of at most ${MAX_UNIQUE_VALUES} values, or with maxItems 1`,
      );
    return uniqueBody(cv, values, min, max, hint, path);
  }
  const items = prefix.map((p, i) => cv.visit(p, child(path, prefixKey, i), `${hint}-${i}`));
  const at = (i: number) => (i < k ? (items[i] as string) : restRule());
  // Items 0..min-1 are required; after those, each next one is optional and nested in the previous.
  const tail = (i: number): string => {
    if (max !== undefined && i >= max) return "";
    if (i >= k)
      return b.repeat(
        `("," space ${restRule()})`,
        Math.max(0, min - i),
        max === undefined ? undefined : max - i,
      );
    const next = tail(i + 1);
    const item = `"," space ${at(i)}${next ? ` ${next}` : ""}`;
    return i < min ? item : `(${item})?`;
  };
  const first = `${at(0)}${tail(1) ? ` ${tail(1)}` : ""}`;
  return min > 0 ? `"[" space ${first} space "]"` : `"[" space (${first} space)? "]"`;
}

/** The values a schema allows when it is a small finite set (enum, const, boolean, null). */
function finiteValues(cv: Converter, s: Schema, path: string): unknown[] | undefined {
  for (let i = 0; i < 16 && isSchemaObject(s) && s.$ref !== undefined; i++) s = cv.resolve(s.$ref, path);
  if (!isSchemaObject(s)) return undefined;
  let values: unknown[] | undefined;
  if ("const" in s) values = [s.const];
  else if (Array.isArray(s.enum)) values = s.enum;
  else if (s.type === "boolean") values = [false, true];
  else if (s.type === "null") values = [null];
  const ok = values?.filter((v) => satisfies(v, s as SchemaObject));
  return ok && ok.length > 0 && ok.length <= MAX_UNIQUE_VALUES ? ok : undefined;
}

/** Arrays of distinct `values` (in their order), between min and max of them. */
function uniqueBody(
  cv: Converter,
  values: unknown[],
  min: number,
  max: number | undefined,
  hint: string,
  path: string,
): string {
  const { b } = cv;
  const n = values.length;
  const top = Math.min(max ?? n, n);
  if (min > top)
    throw new UnsupportedSchemaError(path, "uniqueItems", "allows fewer distinct items than minItems");
  const lit = values.map(jsonLiteral);
  // after(i, c): the rest once c values are chosen and the next may be values[i..].
  const memo = new Map<string, string>();
  const after = (i: number, c: number): string => {
    const key = `${i}/${c}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const alts: string[] = [];
    if (c < top)
      for (let j = i; j < n; j++)
        if (n - j >= min - c) alts.push(`"," space ${lit[j]} ${after(j + 1, c + 1)}`.trim());
    const optional = c >= min;
    const body =
      alts.length === 0
        ? ""
        : b.rule(`${hint}-unique-${i}-${c}`, optional ? `(${alts.join(" | ")})?` : alts.join(" | "));
    memo.set(key, body);
    return body;
  };
  const starts: string[] = [];
  for (let j = 0; j < n; j++) if (n - j >= min) starts.push(`${lit[j]} ${after(j + 1, 1)}`.trim());
  const body = starts.join(" | ");
  return min > 0 ? `"[" space (${body}) space "]"` : `"[" space ((${body}) space)? "]"`;
}
