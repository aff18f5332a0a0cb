/**
 * Which JSON Schema keywords the converter accepts. A keyword it cannot enforce is a 400 naming it, never
 * silently dropped: a caller who asked for a constraint learns it is not there.
 */
import { InvalidSchemaError, UnsupportedSchemaError } from "../errors.ts";

/** A JSON schema object (boolean schemas are handled before any keyword is read). */
export type SchemaObject = Record<string, unknown>;
/** A JSON schema. */
export type Schema = SchemaObject | boolean;

/** Keywords that describe or document and never constrain what may be generated. */
export const ANNOTATIONS: ReadonlySet<string> = new Set([
  "title",
  "description",
  "$schema",
  "$id",
  "$comment",
  "$anchor",
  "default",
  "examples",
  "example",
  "deprecated",
  "readOnly",
  "writeOnly",
  "discriminator", // OpenAPI: names the property oneOf's branches differ by; the branches themselves constrain
  "externalDocs",
  "xml",
  "propertyOrdering", // Gemini: properties are generated in declared order anyway
  "$defs", // containers: their schemas constrain only where a $ref points at them
  "definitions",
]);

/** Keywords that belong to one type, by type: a schema without `type` that uses one of them is of that type. */
export const TYPE_KEYWORDS: readonly [string, readonly string[]][] = [
  [
    "object",
    [
      "properties",
      "required",
      "additionalProperties",
      "patternProperties",
      "propertyNames",
      "minProperties",
      "maxProperties",
      "dependentRequired",
      "dependencies",
      "unevaluatedProperties",
    ],
  ],
  [
    "array",
    ["items", "prefixItems", "additionalItems", "unevaluatedItems", "minItems", "maxItems", "uniqueItems"],
  ],
  ["string", ["minLength", "maxLength", "pattern", "contentEncoding"]],
  ["number", ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]],
];

/** Keywords the converter enforces (some only in the forms its files describe). */
const ENFORCED = new Set([
  "type",
  "enum",
  "const",
  "$ref",
  "anyOf",
  "oneOf",
  "allOf",
  "nullable",
  "format",
  ...TYPE_KEYWORDS.flatMap(([, ks]) => ks),
]);

/** Why some well-known keywords are refused. */
const REFUSED: Readonly<Record<string, string>> = {
  not: "cannot be expressed as a grammar",
  if: "(if/then/else) cannot be expressed as a grammar",
  then: "(if/then/else) cannot be expressed as a grammar",
  else: "(if/then/else) cannot be expressed as a grammar",
  contains: "cannot be enforced",
  minContains: "cannot be enforced",
  maxContains: "cannot be enforced",
  dependentSchemas: "cannot be enforced",
  contentMediaType: "cannot be enforced",
  contentSchema: "cannot be enforced",
  $dynamicRef: "is not supported; use $ref",
  $recursiveRef: "is not supported; use $ref",
};

/** Throws a 400 for the first keyword of `s` that is neither an annotation nor enforced. */
export function checkKeywords(s: SchemaObject, path: string): void {
  for (const k of Object.keys(s)) {
    if (ANNOTATIONS.has(k) || ENFORCED.has(k) || k.startsWith("x-")) continue;
    throw new UnsupportedSchemaError(path, k, REFUSED[k] ?? "is not a keyword structured outputs support");
  }
}

/** Whether `s` constrains nothing (only annotations). */
export function isUnconstrained(s: SchemaObject): boolean {
  return Object.keys(s).every((k) => ANNOTATIONS.has(k) || k.startsWith("x-"));
}

/** `s` without its annotations. */
export function constraintsOf(s: SchemaObject): SchemaObject {
  return Object.fromEntries(Object.entries(s).filter(([k]) => !ANNOTATIONS.has(k) && !k.startsWith("x-")));
}

/** Whether `v` is a schema object (not an array, not null). */
export function isSchemaObject(v: unknown): v is SchemaObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A non-negative integer keyword (minLength, maxItems, …), or undefined when absent. */
export function count(s: SchemaObject, key: string, path: string): number | undefined {
  const v = s[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0)
    throw new InvalidSchemaError(path, `${key} must be a non-negative integer`);
  return v;
}

/** A number keyword (minimum, …), or undefined when absent. */
export function num(s: SchemaObject, key: string, path: string): number | undefined {
  const v = s[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new InvalidSchemaError(path, `${key} must be a number`);
  return v;
}

/** A JSON pointer one level below `path`. */
export function child(path: string, ...keys: (string | number)[]): string {
  return [path, ...keys.map((k) => String(k).replace(/~/g, "~0").replace(/\//g, "~1"))].join("/");
}
