/**
 * Request bodies decoded the way Ollama's Go server decodes them (encoding/json into a struct): unknown fields
 * are ignored at every depth, a key matches a field case-insensitively when no exact match exists, and `null`
 * means "not set" — except where the schema itself accepts null (free-form JSON such as `format`, tool
 * parameter schemas, option values), where it is kept as a value. A null array element becomes the element
 * type's zero value ("" for a string), as Go does. Wrong types are left in place for validation to name.
 *
 * The walk follows the schema, not the value: free-form parts (t.Unknown) are kept whole, so its recursion is
 * as deep as the schema at most (the request's JSON depth is bounded before parsing, limits/json-depth.ts).
 * MAX_DEPTH keeps it bounded even so.
 */
import { Kind, type TArray, type TObject, type TSchema, type TUnion } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";

const nullable = new WeakMap<TSchema, boolean>();
const folded = new WeakMap<TObject, Map<string, string>>();
const checkers = new WeakMap<TSchema, (v: unknown) => boolean>();

/** Deeper than any request schema; past it a value is left as it is (validation still checks it). */
const MAX_DEPTH = 128;

/** A compiled check of `s` (an order of magnitude faster than Value.Check on big bodies), made once. */
function checker(s: TSchema): (v: unknown) => boolean {
  let check = checkers.get(s);
  if (!check) {
    try {
      const compiled = TypeCompiler.Compile(s);
      check = (v) => compiled.Check(v);
    } catch {
      check = (v) => Value.Check(s, v);
    }
    checkers.set(s, check);
  }
  return check;
}

/** Whether `v` satisfies `s`; a schema kind TypeBox cannot check (a custom Elysia type) does not match. */
export function fits(s: TSchema, v: unknown): boolean {
  try {
    return checker(s)(v);
  } catch {
    return false;
  }
}

function acceptsNull(s: TSchema): boolean {
  let ok = nullable.get(s);
  if (ok === undefined) {
    ok = fits(s, null);
    nullable.set(s, ok);
  }
  return ok;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The field a JSON key sets: the exact name, else the one equal under case folding (Go's rule). */
function fieldFor(schema: TObject, key: string): string | undefined {
  if (Object.hasOwn(schema.properties, key)) return key;
  let byLower = folded.get(schema);
  if (!byLower) {
    byLower = new Map(Object.keys(schema.properties).map((k) => [k.toLowerCase(), k]));
    folded.set(schema, byLower);
  }
  return byLower.get(key.toLowerCase());
}

/** What Go leaves in a slice or map element decoded from `null`. */
function zeroOf(s: TSchema, depth = 0): unknown {
  if (acceptsNull(s)) return null;
  switch (s[Kind]) {
    case "String":
      return "";
    case "Number":
    case "Integer":
      return 0;
    case "Boolean":
      return false;
    case "Object":
      return decodeObject(s as TObject, {}, depth + 1);
    case "Array":
      return [];
    case "Record":
      return {};
    case "Union":
      // The first member's zero that the whole union takes (Elysia's t.Integer is "integer string | integer").
      for (const m of (s as TUnion).anyOf) {
        const z = zeroOf(m, depth + 1);
        if (fits(s, z)) return z;
      }
      return null;
    default:
      return null;
  }
}

function decodeObject(schema: TObject, value: unknown, depth: number): unknown {
  if (!isPlainObject(value)) return value;
  const extra = schema.additionalProperties;
  const out: Record<string, unknown> = {};
  // Keys, not entries: a body of many small objects (600k messages) decodes measurably faster.
  for (const key of Object.keys(value)) {
    const v = value[key];
    const name = fieldFor(schema, key);
    if (name === undefined) {
      // Only a schema that declares extra keys keeps them; Go drops them.
      if (extra === true) out[key] = v;
      else if (typeof extra === "object")
        out[key] = v === null ? zeroOf(extra, depth) : decodeLenient(extra, v, depth);
      continue;
    }
    const field = schema.properties[name] as TSchema;
    if (v === null && !acceptsNull(field)) {
      delete out[name];
      continue;
    }
    out[name] = decodeLenient(field, v, depth);
  }
  return out;
}

function decodeRecord(schema: TSchema, value: unknown, depth: number): unknown {
  if (!isPlainObject(value)) return value;
  const patterns = Object.values((schema.patternProperties ?? {}) as Record<string, TSchema>);
  const item = patterns[0];
  if (!item) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      v === null ? zeroOf(item, depth) : decodeLenient(item, v, depth),
    ]),
  );
}

/** The first member the decoded value satisfies; the value untouched when none does (validation names it). */
function decodeUnion(schema: TUnion, value: unknown, depth: number): unknown {
  for (const member of schema.anyOf) {
    const decoded = decodeLenient(member, value, depth);
    if (fits(member, decoded)) return decoded;
  }
  return value;
}

/** `value` (parsed JSON) with unknown fields dropped and nulls resolved as Go would decode it into `schema`. */
export function decodeLenient(schema: TSchema, value: unknown, depth = 0): unknown {
  if (value === null) return zeroOf(schema, depth);
  if (depth >= MAX_DEPTH) return value;
  const next = depth + 1;
  switch (schema[Kind]) {
    case "Object":
      return decodeObject(schema as TObject, value, next);
    case "Array": {
      const items = (schema as TArray).items;
      return Array.isArray(value)
        ? value.map((v) => (v === null ? zeroOf(items, next) : decodeLenient(items, v, next)))
        : value;
    }
    case "Record":
      return decodeRecord(schema, value, next);
    case "Union":
      return decodeUnion(schema as TUnion, value, next);
    default:
      return value;
  }
}
