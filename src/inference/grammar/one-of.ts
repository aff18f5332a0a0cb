/**
 * `oneOf` demands that exactly one alternative matches; a grammar can only offer a choice. So oneOf is
 * accepted when no value can match two alternatives: they admit disjoint JSON types, or they are objects that
 * require a common property with disjoint `const`/`enum` values (a discriminator). Otherwise it is a 400 that
 * suggests anyOf.
 */
import { UnsupportedSchemaError } from "../errors.ts";
import { same } from "./all-of.ts";
import { isSchemaObject, type Schema, type SchemaObject } from "./keywords.ts";

type Resolve = (ref: unknown, path: string) => Schema;

const ALL = ["null", "boolean", "integer", "fraction", "string", "array", "object"] as const;

/** Throws a 400 when two of `alts` may match one value. */
export function checkOneOf(alts: Schema[], resolve: Resolve, path: string): void {
  for (let i = 0; i < alts.length; i++)
    for (let j = i + 1; j < alts.length; j++) {
      const a = alts[i] as Schema;
      const b = alts[j] as Schema;
      const ta = typesOf(a, resolve, path, 0);
      const tb = typesOf(b, resolve, path, 0);
      if ([...ta].some((t) => tb.has(t)) && !discriminated(a, b, resolve, path))
        throw new UnsupportedSchemaError(
          path,
          "oneOf",
          `alternatives ${i} and ${j} may both match one value, which a grammar cannot rule out; use anyOf, or give them a required property with different const values`,
        );
    }
}

/** The JSON types a validator may accept for `s` ("integer" and "fraction" make up number). */
function typesOf(s: Schema, resolve: Resolve, path: string, depth: number): Set<string> {
  if (s === false) return new Set();
  if (s === true || !isSchemaObject(s) || depth > 16) return new Set(ALL);
  let out = new Set<string>(ALL);
  const keep = (ts: Iterable<string>) => {
    const k = new Set(ts);
    out = new Set([...out].filter((t) => k.has(t)));
  };
  if (s.$ref !== undefined) keep(typesOf(resolve(s.$ref, path), resolve, path, depth + 1));
  if (s.type !== undefined) {
    const ts = (Array.isArray(s.type) ? s.type : [s.type]).flatMap((t) =>
      t === "number" ? ["integer", "fraction"] : [String(t)],
    );
    if (s.nullable === true) ts.push("null");
    keep(ts);
  }
  if ("const" in s) keep([valueType(s.const)]);
  if (Array.isArray(s.enum)) keep(s.enum.map(valueType));
  for (const k of ["anyOf", "oneOf"] as const)
    if (Array.isArray(s[k]))
      keep((s[k] as Schema[]).flatMap((x) => [...typesOf(x, resolve, path, depth + 1)]));
  if (Array.isArray(s.allOf)) for (const x of s.allOf as Schema[]) keep(typesOf(x, resolve, path, depth + 1));
  return out;
}

function valueType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "fraction";
  return typeof v;
}

/** Whether both are objects requiring a property whose allowed constant values do not overlap. */
function discriminated(a: Schema, b: Schema, resolve: Resolve, path: string): boolean {
  const oa = deref(a, resolve, path);
  const ob = deref(b, resolve, path);
  if (!oa || !ob) return false;
  const req = (o: SchemaObject) => (Array.isArray(o.required) ? (o.required as string[]) : []);
  for (const p of req(oa)) {
    if (!req(ob).includes(p)) continue;
    const va = constants(oa, p, resolve, path);
    const vb = constants(ob, p, resolve, path);
    if (va && vb && !va.some((x) => vb.some((y) => same(x, y)))) return true;
  }
  return false;
}

function deref(s: Schema, resolve: Resolve, path: string): SchemaObject | undefined {
  for (let i = 0; i < 16 && isSchemaObject(s); i++) {
    if (s.$ref === undefined) return s;
    s = resolve(s.$ref, path);
  }
  return undefined;
}

/** The const/enum values property `p` of object schema `o` is limited to, if it is. */
function constants(o: SchemaObject, p: string, resolve: Resolve, path: string): unknown[] | undefined {
  const props = isSchemaObject(o.properties) ? o.properties : {};
  const s = deref(props[p] as Schema, resolve, path);
  if (!s) return undefined;
  if ("const" in s) return [s.const];
  return Array.isArray(s.enum) ? s.enum : undefined;
}
