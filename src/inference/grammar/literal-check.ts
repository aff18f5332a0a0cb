/**
 * Checks a fixed JSON value against a schema's simple keywords, so `enum`/`const` values that other keywords
 * of the same schema rule out (type, lengths, pattern, bounds, item and property counts) are never
 * generated, and declared property names can be checked against `propertyNames`.
 */
import { isSchemaObject, type Schema } from "./keywords.ts";

/** Whether `v` satisfies the simple keywords of `s` (nested schemas are not looked into). */
export function satisfies(v: unknown, s: Schema): boolean {
  if (typeof s === "boolean") return s;
  if (s.type !== undefined && !(Array.isArray(s.type) ? s.type : [s.type]).some((t) => isType(v, String(t))))
    return false;
  if ("const" in s && JSON.stringify(s.const) !== JSON.stringify(v)) return false;
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) return false;
  if (typeof v === "string") {
    const n = [...v].length;
    if (typeof s.minLength === "number" && n < s.minLength) return false;
    if (typeof s.maxLength === "number" && n > s.maxLength) return false;
    if (typeof s.pattern === "string" && !safeTest(s.pattern, v)) return false;
  }
  if (typeof v === "number") {
    if (typeof s.minimum === "number" && v < s.minimum) return false;
    if (typeof s.maximum === "number" && v > s.maximum) return false;
    if (typeof s.exclusiveMinimum === "number" && v <= s.exclusiveMinimum) return false;
    if (typeof s.exclusiveMaximum === "number" && v >= s.exclusiveMaximum) return false;
    if (typeof s.multipleOf === "number" && !Number.isInteger(v / s.multipleOf)) return false;
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === "number" && v.length < s.minItems) return false;
    if (typeof s.maxItems === "number" && v.length > s.maxItems) return false;
  }
  if (isSchemaObject(v)) {
    const n = Object.keys(v).length;
    if (typeof s.minProperties === "number" && n < s.minProperties) return false;
    if (typeof s.maxProperties === "number" && n > s.maxProperties) return false;
    if (Array.isArray(s.required) && s.required.some((k) => !Object.hasOwn(v, String(k)))) return false;
  }
  return true;
}

function isType(v: unknown, t: string): boolean {
  switch (t) {
    case "null":
      return v === null;
    case "boolean":
      return typeof v === "boolean";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "string":
      return typeof v === "string";
    case "array":
      return Array.isArray(v);
    case "object":
      return isSchemaObject(v);
    default:
      return false;
  }
}

/** A regex test with ECMA-262 (Unicode) semantics; a pattern JS cannot compile matches nothing. */
export function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, "u").test(text);
  } catch {
    return false;
  }
}
