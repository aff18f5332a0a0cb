/**
 * `allOf` as one schema: every part is expanded into alternatives (its `$ref` resolved, its `anyOf`/`oneOf`
 * and type lists distributed), each combination of alternatives is intersected keyword by keyword, and the
 * result is that schema or an `anyOf` of them. Intersections a grammar cannot express (two different
 * patterns, …) are 400s; empty ones are dropped, and a 400 says so when none is left.
 */
import { UnsupportedSchemaError } from "../errors.ts";
import { constraintsOf, isSchemaObject, type Schema, type SchemaObject } from "./keywords.ts";

/** What merging needs from the document. */
export interface MergeContext {
  /** The schema a `$ref` points at. */
  resolve(ref: unknown, path: string): Schema;
  /** Throws when a oneOf's alternatives may overlap. */
  checkOneOf(alts: Schema[], path: string): void;
}

const MAX_ALTERNATIVES = 64;
const MAX_DEPTH = 32;

/** The intersection of `parts` as one schema (an `anyOf` when alternatives remain). */
export function mergeAllOf(parts: Schema[], ctx: MergeContext, path: string): Schema {
  let combos: SchemaObject[] = [{}];
  for (const part of parts) {
    const alts = expand(part, ctx, path, 0);
    const next: SchemaObject[] = [];
    for (const c of combos)
      for (const a of alts) {
        const m = mergeTwo(c, a, path);
        if (m) next.push(m);
      }
    if (next.length > MAX_ALTERNATIVES)
      throw new UnsupportedSchemaError(
        path,
        "allOf",
        `expands into more than ${MAX_ALTERNATIVES} alternatives`,
      );
    combos = next;
  }
  if (combos.length === 0)
    throw new UnsupportedSchemaError(path, "allOf", "no value satisfies every subschema");
  return combos.length === 1 ? (combos[0] as SchemaObject) : { anyOf: combos };
}

/** `s` as alternatives free of $ref, allOf, anyOf, oneOf, nullable and type lists. */
function expand(s: Schema, ctx: MergeContext, path: string, depth: number): SchemaObject[] {
  if (depth > MAX_DEPTH)
    throw new UnsupportedSchemaError(path, "allOf", "recursion through $ref cannot be merged");
  if (s === true) return [{}];
  if (s === false || !isSchemaObject(s)) return [];
  const { $ref, allOf, anyOf, oneOf, nullable, ...rest } = constraintsOf(s);
  const sub = (x: Schema) => expand(x, ctx, path, depth + 1);
  let alts: SchemaObject[] = [rest];
  const and = (others: SchemaObject[]) => {
    const out: SchemaObject[] = [];
    for (const a of alts)
      for (const o of others) {
        const m = mergeTwo(a, o, path);
        if (m) out.push(m);
      }
    alts = out;
  };
  if (Array.isArray(rest.type)) {
    const { type, ...others } = rest;
    alts = (type as unknown[]).map((t) => ({ ...others, type: t }));
  }
  if ($ref !== undefined) and(sub(ctx.resolve($ref, path)));
  if (Array.isArray(allOf)) for (const p of allOf as Schema[]) and(sub(p));
  if (Array.isArray(anyOf)) and((anyOf as Schema[]).flatMap(sub));
  if (Array.isArray(oneOf)) {
    ctx.checkOneOf(oneOf as Schema[], path);
    and((oneOf as Schema[]).flatMap(sub));
  }
  if (nullable === true) alts.push({ type: "null" });
  if (alts.length > MAX_ALTERNATIVES)
    throw new UnsupportedSchemaError(
      path,
      "allOf",
      `expands into more than ${MAX_ALTERNATIVES} alternatives`,
    );
  return alts;
}

const LOWER = new Set(["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"]);
const UPPER = new Set(["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"]);
const SUBSCHEMA = new Set([
  "items",
  "additionalItems",
  "unevaluatedItems",
  "unevaluatedProperties",
  "propertyNames",
]);

/** The intersection of two expanded schemas; null when no value can satisfy both. */
export function mergeTwo(a: SchemaObject, b: SchemaObject, path: string): SchemaObject | null {
  const left = outsideAdditional(b, a, path);
  const right = outsideAdditional(a, b, path);
  if (!left || !right) return null;
  const out: SchemaObject = left;
  for (const [k, v] of Object.entries(right)) {
    const u = out[k];
    if (u === undefined) out[k] = v;
    else if (k === "type") {
      if (u === v) continue;
      if ((u === "integer" && v === "number") || (u === "number" && v === "integer")) out.type = "integer";
      else return null;
    } else if (k === "properties") {
      const merged: Record<string, Schema> = { ...(u as Record<string, Schema>) };
      for (const [p, s] of Object.entries(v as Record<string, Schema>))
        merged[p] = merged[p] === undefined ? s : { allOf: [merged[p] as Schema, s] };
      out.properties = merged;
    } else if (k === "required" && Array.isArray(u) && Array.isArray(v))
      out.required = [...new Set([...u, ...v])];
    else if (k === "additionalProperties" || SUBSCHEMA.has(k)) {
      out[k] = u === false || v === false ? false : u === true ? v : v === true ? u : { allOf: [u, v] };
    } else if (LOWER.has(k) && typeof u === "number" && typeof v === "number") out[k] = Math.max(u, v);
    else if (UPPER.has(k) && typeof u === "number" && typeof v === "number") out[k] = Math.min(u, v);
    else if (k === "enum" || k === "const") {
      const keep = values(out, k).filter((x) => values(right, k).some((y) => same(x, y)));
      if (keep.length === 0) return null;
      out[k] = k === "const" ? keep[0] : keep;
    } else if (k === "uniqueItems") out.uniqueItems = u === true || v === true;
    else if (!same(u, v))
      throw new UnsupportedSchemaError(path, "allOf", `combines two different ${JSON.stringify(k)} values`);
  }
  return out;
}

/**
 * `b` with `a`'s additionalProperties applied to the properties `b` declares and `a` does not: false drops
 * them (null, unsatisfiable, when `b` requires one), a schema is intersected with theirs.
 */
function outsideAdditional(a: SchemaObject, b: SchemaObject, path: string): SchemaObject | null {
  const extra = a.additionalProperties;
  if (extra === undefined || extra === true || !isSchemaObject(b.properties)) return { ...b };
  if (a.patternProperties !== undefined)
    throw new UnsupportedSchemaError(path, "allOf", "cannot merge patternProperties with other properties");
  const own = isSchemaObject(a.properties) ? a.properties : {};
  const props: Record<string, Schema> = {};
  for (const [p, s] of Object.entries(b.properties as Record<string, Schema>)) {
    if (Object.hasOwn(own, p)) props[p] = s;
    else if (extra === false) {
      if (Array.isArray(b.required) && b.required.includes(p)) return null;
    } else props[p] = { allOf: [s, extra as Schema] };
  }
  return { ...b, properties: props };
}

function values(s: SchemaObject, k: string): unknown[] {
  return k === "const" ? [s.const] : Array.isArray(s.enum) ? s.enum : [];
}

/** JSON equality (object key order ignored). */
export function same(x: unknown, y: unknown): boolean {
  return canonical(x) === canonical(y);
}

function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(",")}]`;
  if (isSchemaObject(x))
    return `{${Object.keys(x)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(x[k])}`)
      .join(",")}}`;
  return JSON.stringify(x) ?? "undefined";
}
