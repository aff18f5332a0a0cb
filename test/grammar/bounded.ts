/**
 * Test helper: a schema with its free strings bounded, for runs on random-weight models. Such a model almost
 * never closes a free string by itself (the closing quote is one of a few tokens among 32,000), so every
 * string schema without a length, format or fixed values gets a maxLength (a short one, or a long one when it
 * has a pattern, which may need room), and every object whose extra keys are free a propertyNames maxLength.
 */

const FREE_STRING_MAX = 8;
const PATTERN_MAX = 64;

/** `schema` with a maxLength on every free string and a propertyNames maxLength where extra keys are free. */
export function bounded(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(bounded);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === "const" || k === "enum" ? v : bounded(v);
  const types = Array.isArray(out.type) ? out.type : [out.type];
  const open = ["maxLength", "enum", "const", "contentEncoding"].every((k) => !(k in out));
  const min = Number(out.minLength ?? 0);
  if (open && out.pattern !== undefined) out.maxLength = min + PATTERN_MAX;
  else if (open && types.includes("string") && out.format === undefined)
    out.maxLength = min + FREE_STRING_MAX;
  const props = Object.keys((out.properties as object | undefined) ?? {});
  const extras = out.additionalProperties !== false && out.patternProperties === undefined;
  if ((out.type === "object" || out.additionalProperties !== undefined) && extras && !out.propertyNames)
    out.propertyNames = { maxLength: Math.max(6, ...props.map((p) => p.length)) };
  return out;
}
