/**
 * Integer and number schemas as grammars: minimum/maximum/exclusiveMinimum/exclusiveMaximum (numbers, or
 * draft-4 booleans), OpenAPI formats (int32 bounds; int64, float, double), multipleOf 1. Other multipleOf
 * values are 400s: a grammar could write multiples of 0.01, but floating-point validators reject many of them
 * (0.07 / 0.01 is not an integer in binary floating point).
 */
import { InvalidSchemaError, UnsupportedSchemaError } from "../errors.ts";
import type { Converter } from "./converter-types.ts";
import { num, type SchemaObject } from "./keywords.ts";
import { type Bound, integerBounds, numberRange } from "./number-range.ts";

const NUMERIC_FORMATS: Readonly<Record<string, [number, number] | null>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: null,
  float: null,
  double: null,
};

/** The rule body (or name) for an integer or number schema `s` at `path`. */
export function numericBody(
  cv: Converter,
  s: SchemaObject,
  path: string,
  type: "integer" | "number",
): string {
  let lo = bound(s, "minimum", "exclusiveMinimum", path, Math.max);
  let hi = bound(s, "maximum", "exclusiveMaximum", path, Math.min);
  if (s.format !== undefined) {
    if (typeof s.format !== "string" || !(s.format in NUMERIC_FORMATS))
      throw new UnsupportedSchemaError(
        path,
        "format",
        `${JSON.stringify(s.format)} is not a numeric format structured outputs support`,
      );
    const range = NUMERIC_FORMATS[s.format];
    if (range) {
      if (!lo || lo.x < range[0]) lo = { x: range[0], strict: false };
      if (!hi || hi.x > range[1]) hi = { x: range[1], strict: false };
    }
  }
  const multipleOf = num(s, "multipleOf", path);
  if (multipleOf !== undefined && multipleOf <= 0)
    throw new InvalidSchemaError(path, "multipleOf must be greater than 0");
  if (multipleOf !== undefined && multipleOf !== 1)
    throw new UnsupportedSchemaError(path, "multipleOf", "is supported only as 1 (whole numbers)");
  const integral = type === "integer" || multipleOf === 1;
  if (!lo && !hi) return cv.b.prim(integral ? "integer" : "number");
  try {
    return integral ? integerBounds(lo, hi) : numberRange(lo, hi);
  } catch (e) {
    if (e instanceof RangeError)
      throw new UnsupportedSchemaError(path, lo ? "minimum" : "maximum", `leaves no ${type} in range`);
    throw e;
  }
}

/** The tighter of an inclusive and an exclusive bound (`pick` = Math.max for lower bounds, min for upper). */
function bound(
  s: SchemaObject,
  inclusive: string,
  exclusive: string,
  path: string,
  pick: (a: number, b: number) => number,
): Bound | undefined {
  const inc = num(s, inclusive, path);
  const ex = s[exclusive];
  if (typeof ex === "boolean") return inc === undefined ? undefined : { x: inc, strict: ex }; // draft 4
  const exn = num(s, exclusive, path);
  if (inc === undefined) return exn === undefined ? undefined : { x: exn, strict: true };
  if (exn === undefined) return { x: inc, strict: false };
  const x = pick(inc, exn);
  return { x, strict: x === exn };
}
