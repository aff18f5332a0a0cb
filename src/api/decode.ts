/**
 * Request bodies decoded the way Ollama's Go server decodes them (encoding/json into a struct): unknown fields
 * are ignored at every depth, a key matches a field case-insensitively when no exact match exists, and `null`
 * means "not set" — except where the schema itself accepts null (free-form JSON such as `format`, tool
 * parameter schemas, option values), where it is kept as a value. A null array element becomes the element
 * type's zero value ("" for a string), as Go does. Wrong types are left in place for validation to name.
 */
import { Kind, type TArray, type TObject, type TSchema, type TUnion } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

const nullable = new WeakMap<TSchema, boolean>();
const folded = new WeakMap<TObject, Map<string, string>>();

/** Value.Check that treats a schema kind TypeBox cannot check (a custom Elysia type) as not matching. */
function fits(s: TSchema, v: unknown): boolean {
  try {
    return Value.Check(s, v);
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
function zeroOf(s: TSchema): unknown {
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
      return decodeObject(s as TObject, {});
    case "Array":
      return [];
    case "Record":
      return {};
    case "Union":
      // The first member's zero that the whole union takes (Elysia's t.Integer is "integer string | integer").
      for (const m of (s as TUnion).anyOf) {
        const z = zeroOf(m);
        if (fits(s, z)) return z;
      }
      return null;
    default:
      return null;
  }
}

function decodeObject(schema: TObject, value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const extra = schema.additionalProperties;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = fieldFor(schema, key);
    if (name === undefined) {
      // Only a schema that declares extra keys keeps them; Go drops them.
      if (extra === true) out[key] = v;
      else if (typeof extra === "object") out[key] = v === null ? zeroOf(extra) : decodeLenient(extra, v);
      continue;
    }
    const field = schema.properties[name] as TSchema;
    if (v === null && !acceptsNull(field)) {
      delete out[name];
      continue;
    }
    out[name] = decodeLenient(field, v);
  }
  return out;
}

function decodeRecord(schema: TSchema, value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const patterns = Object.values((schema.patternProperties ?? {}) as Record<string, TSchema>);
  const item = patterns[0];
  if (!item) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, v === null ? zeroOf(item) : decodeLenient(item, v)]),
  );
}

/** The first member the decoded value satisfies; the value untouched when none does (validation names it). */
function decodeUnion(schema: TUnion, value: unknown): unknown {
  for (const member of schema.anyOf) {
    const decoded = decodeLenient(member, value);
    if (fits(member, decoded)) return decoded;
  }
  return value;
}

/** `value` (parsed JSON) with unknown fields dropped and nulls resolved as Go would decode it into `schema`. */
export function decodeLenient(schema: TSchema, value: unknown): unknown {
  if (value === null) return zeroOf(schema);
  switch (schema[Kind]) {
    case "Object":
      return decodeObject(schema as TObject, value);
    case "Array": {
      const items = (schema as TArray).items;
      return Array.isArray(value)
        ? value.map((v) => (v === null ? zeroOf(items) : decodeLenient(items, v)))
        : value;
    }
    case "Record":
      return decodeRecord(schema, value);
    case "Union":
      return decodeUnion(schema as TUnion, value);
    default:
      return value;
  }
}
