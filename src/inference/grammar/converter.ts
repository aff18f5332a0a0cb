/**
 * The JSON Schema → GBNF visitor for one schema document: keyword checks, `$ref`, combinators (`allOf`,
 * `anyOf`, `oneOf`, type lists, `nullable`), `enum`/`const`, and dispatch to the per-type modules.
 */
import { InvalidSchemaError, UnsupportedSchemaError } from "../errors.ts";
import { mergeAllOf } from "./all-of.ts";
import { arrayBody } from "./array.ts";
import type { GrammarBuilder } from "./builder.ts";
import type { Converter } from "./converter-types.ts";
import { isKnownStringFormat } from "./formats.ts";
import {
  checkKeywords,
  child,
  constraintsOf,
  isSchemaObject,
  type Schema,
  type SchemaObject,
  TYPE_KEYWORDS,
} from "./keywords.ts";
import { satisfies } from "./literal-check.ts";
import { numericBody } from "./numeric.ts";
import { objectBody } from "./object.ts";
import { checkOneOf } from "./one-of.ts";
import { jsonLiteral } from "./primitives.ts";
import { resolveRef } from "./refs.ts";
import { stringBody } from "./string.ts";

const TYPES = new Set(["object", "array", "string", "integer", "number", "boolean", "null"]);

/** Adds the rules for `schema` (a whole document) to `b`; returns the name of the rule that matches it. */
export function convertSchema(b: GrammarBuilder, schema: Schema, hint: string): string {
  return new SchemaConverter(b, schema).visit(schema, "#", hint);
}

class SchemaConverter implements Converter {
  private readonly refs = new Map<string, string>();

  constructor(
    readonly b: GrammarBuilder,
    private readonly doc: Schema,
  ) {}

  resolve(ref: unknown, path: string): Schema {
    return resolveRef(this.doc, ref, path).target;
  }

  visit(s: Schema, path: string, hint: string): string {
    const body = this.body(s, path, hint);
    return /^[A-Za-z0-9-]+$/.test(body) ? body : this.b.rule(hint, body);
  }

  /** A GBNF rule body matching `s`. */
  private body(s: Schema, path: string, hint: string): string {
    if (s === true) return this.b.prim("value");
    if (s === false) throw new UnsupportedSchemaError(path, "false", "schema matches no value");
    if (!isSchemaObject(s)) throw new InvalidSchemaError(path, "a schema must be an object or a boolean");
    checkKeywords(s, path);
    const c = constraintsOf(s);
    const keys = Object.keys(c);
    if (keys.length === 0) return this.b.prim("value");
    if (c.$ref !== undefined) {
      if (keys.length === 1) return this.ref(c.$ref, path);
      const { $ref, ...rest } = c; // siblings of $ref apply too (2019-09 and later)
      return this.body({ allOf: [{ $ref }, rest] }, path, hint);
    }
    if (c.allOf !== undefined) {
      if (!Array.isArray(c.allOf) || c.allOf.length === 0)
        throw new InvalidSchemaError(path, "allOf must be a non-empty array");
      return this.body(this.merge(c, path), path, hint);
    }
    for (const k of ["anyOf", "oneOf"] as const) {
      const alts = c[k];
      if (alts === undefined) continue;
      if (!Array.isArray(alts) || alts.length === 0)
        throw new InvalidSchemaError(path, `${k} must be a non-empty array`);
      if (k === "oneOf") checkOneOf(alts as Schema[], (r, p) => this.resolve(r, p), path);
      if (keys.length > 1) return this.body(this.merge(c, path), path, hint);
      return union(alts.map((a, i) => this.visit(a as Schema, child(path, k, i), `${hint}-${i}`)));
    }
    if (Array.isArray(c.type)) {
      if (c.type.length === 0) throw new InvalidSchemaError(path, "type must not be an empty array");
      return union(c.type.map((t) => this.visit({ ...c, type: t }, path, `${hint}-${t}`)));
    }
    if (c.nullable === true) {
      const { nullable: _, ...rest } = c;
      return union([this.visit(rest, path, hint), this.b.prim("null")]);
    }
    if ("const" in c || c.enum !== undefined) return this.literals(c, path);
    const type = c.type;
    if (type !== undefined && (typeof type !== "string" || !TYPES.has(type)))
      throw new InvalidSchemaError(path, `unknown type ${JSON.stringify(type)}`);
    if (type === undefined) {
      const implied = impliedTypes(c);
      if (implied.length === 0) return this.b.prim("value");
      if (implied.length > 1)
        return union(implied.map((t) => this.visit({ ...c, type: t }, path, `${hint}-${t}`)));
      return this.body({ ...c, type: implied[0] }, path, hint);
    }
    switch (type) {
      case "object":
        return objectBody(this, c, path, hint);
      case "array":
        return arrayBody(this, c, path, hint);
      case "string":
        return stringBody(this, c, path, hint);
      case "integer":
      case "number":
        return numericBody(this, c, path, type);
      default:
        return this.b.prim(type);
    }
  }

  /** `c`'s allOf, $ref, anyOf/oneOf and siblings intersected into one schema. */
  private merge(c: SchemaObject, path: string): Schema {
    return mergeAllOf(
      [c],
      {
        resolve: (r, p) => this.resolve(r, p),
        checkOneOf: (a, p) => checkOneOf(a, (r, q) => this.resolve(r, q), p),
      },
      path,
    );
  }

  private ref(ref: unknown, path: string): string {
    const { target, pointer } = resolveRef(this.doc, ref, path);
    const known = this.refs.get(pointer);
    if (known) return known;
    const name = this.b.reserve(`ref${pointer.slice(1)}`);
    this.refs.set(pointer, name); // before visiting, so recursive schemas terminate
    this.b.define(name, this.body(target, pointer, name));
    return name;
  }

  /** enum/const: the values that the schema's other keywords allow, each as a JSON literal. */
  private literals(c: SchemaObject, path: string): string {
    let values: unknown[];
    if ("const" in c) values = [c.const];
    else if (Array.isArray(c.enum) && c.enum.length > 0) values = c.enum;
    else throw new InvalidSchemaError(path, "enum must be a non-empty array");
    const ok = values.filter((v) => satisfies(v, c));
    if (ok.length === 0)
      throw new UnsupportedSchemaError(
        path,
        "const" in c ? "const" : "enum",
        "has no value the schema's other keywords allow",
      );
    return [...new Set(ok.map(jsonLiteral))].join(" | ");
  }
}

/** Types a schema without `type` constrains, judged by its keywords (`format` counts for strings). */
function impliedTypes(c: SchemaObject): string[] {
  const out = TYPE_KEYWORDS.filter(([, ks]) => ks.some((k) => k in c)).map(([t]) => t);
  if (typeof c.format === "string" && !out.includes("string") && isKnownStringFormat(c.format))
    out.push("string");
  if (c.format !== undefined && out.length === 0) out.push("string");
  return out;
}

/** Alternatives as one rule body (duplicates removed). */
function union(names: string[]): string {
  return [...new Set(names)].join(" | ");
}
