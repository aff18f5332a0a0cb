/**
 * String schemas as grammars: `pattern` (see regex-gbnf.ts), `format` (see formats.ts), minLength/maxLength,
 * `contentEncoding: base64`. With both, `pattern` decides the grammar and `format` must still be one this
 * converter knows. Lengths combine with a pattern or format only where the result can be guaranteed.
 */
import { InvalidSchemaError, UnsupportedSchemaError } from "../errors.ts";
import type { Converter } from "./converter-types.ts";
import { isKnownStringFormat, isUncheckedFormat, stringFormat } from "./formats.ts";
import { count, type SchemaObject } from "./keywords.ts";
import { patternRule } from "./regex-gbnf.ts";

/** The rule body (or name) for a string schema `s` at `path`. */
export function stringBody(cv: Converter, s: SchemaObject, path: string, hint: string): string {
  const { b } = cv;
  const min = count(s, "minLength", path) ?? 0;
  const max = count(s, "maxLength", path);
  if (max !== undefined && min > max)
    throw new UnsupportedSchemaError(path, "minLength", "is greater than maxLength");
  let format = s.format;
  if (format !== undefined && typeof format !== "string")
    throw new InvalidSchemaError(path, "format must be a string");
  if (format !== undefined && !isKnownStringFormat(format))
    throw new UnsupportedSchemaError(
      path,
      "format",
      `${JSON.stringify(format)} is not a string format structured outputs support`,
    );
  if (s.contentEncoding !== undefined) {
    if (s.contentEncoding !== "base64")
      throw new UnsupportedSchemaError(
        path,
        "contentEncoding",
        `${JSON.stringify(s.contentEncoding)} is not supported (only base64)`,
      );
    if (format !== undefined && format !== "byte" && !isUncheckedFormat(format))
      throw new UnsupportedSchemaError(path, "contentEncoding", "cannot be combined with another format");
    format = "byte";
  }
  if (s.pattern !== undefined) {
    if (typeof s.pattern !== "string") throw new InvalidSchemaError(path, "pattern must be a string");
    if (s.contentEncoding !== undefined)
      throw new UnsupportedSchemaError(path, "pattern", "cannot be combined with contentEncoding");
    return patternRule(b, s.pattern, hint, path, { min, max });
  }
  const f = typeof format === "string" ? stringFormat(format) : undefined;
  if (f) {
    if (f.min < min || (max !== undefined && (f.max === undefined || f.max > max)))
      throw new UnsupportedSchemaError(
        path,
        "format",
        `${JSON.stringify(format)} cannot be combined with minLength/maxLength ${min}..${max ?? ""}`,
      );
    return `"\\"" ${f.body(b)} "\\""`;
  }
  if (min === 0 && max === undefined) return b.prim("string");
  return `"\\"" ${b.repeat(b.prim("char"), min, max)} "\\""`;
}
