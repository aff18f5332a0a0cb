/**
 * JSON Schema → GBNF. Supports objects (properties in declared order, required and optional ones),
 * arrays (items, minItems/maxItems), strings (minLength/maxLength), numbers, integers, booleans, null,
 * enum, const, type unions, anyOf/oneOf, allOf of objects, and local `$ref`s (`#/$defs/…`,
 * `#/definitions/…`). Keywords it cannot enforce (pattern, format, minimum…) are ignored; properties
 * beyond the declared ones are not generated.
 */
import { UnsupportedSchemaError } from "../errors.ts";
import { jsonLiteral, literal, PRIMITIVE_RULES, repeat, withDependencies } from "./primitives.ts";

type Schema = Record<string, unknown> | boolean;

const PRIMITIVE_TYPES = new Set(["boolean", "null", "integer", "number", "string"]);

/** Converts a JSON schema object into a GBNF grammar whose root matches conforming JSON documents. */
export function schemaToGbnf(schema: Record<string, unknown>): string {
  const b = new GrammarBuilder();
  return b.grammar(b.schema(schema, "root"));
}

/**
 * A GBNF grammar under construction: several schemas (each its own document for `$ref`s) and raw rules can
 * share one rule set, so a tool-call grammar can embed every tool's argument schema.
 */
export class GrammarBuilder {
  private readonly rules = new Map<string, string>();
  private readonly primitives = new Set<string>();
  private readonly refs = new Map<string, string>();
  private root: Record<string, unknown> = {};

  /** Adds rules for `schema` (a whole document: its `$ref`s resolve inside it); returns the rule name. */
  schema(schema: Record<string, unknown>, hint: string): string {
    const saved = this.root;
    const savedRefs = new Map(this.refs);
    this.root = schema;
    this.refs.clear();
    try {
      if (hint === "root" && !this.rules.has("root")) {
        this.rules.set("root", "");
        this.rules.set("root", this.visit(schema, "root"));
        return "root";
      }
      return this.define(schema, hint);
    } finally {
      this.root = saved;
      this.refs.clear();
      for (const [k, v] of savedRefs) this.refs.set(k, v);
    }
  }

  /** Adds a raw rule (`body` may reference primitives such as `space`, `string`, `value`); returns its name. */
  rule(hint: string, body: string, primitives: readonly string[] = []): string {
    for (const p of primitives) this.prim(p);
    const n = this.name(hint);
    this.rules.set(n, body);
    return n;
  }

  /** The grammar text; `rootBody` becomes `root` unless a rule named root was already added. */
  grammar(rootBody = "root"): string {
    if (!this.rules.has("root") || rootBody !== "root") this.rules.set("root", rootBody);
    const prims = [...withDependencies(this.primitives)].filter((p) => !this.rules.has(p));
    const lines = [...this.rules].map(([n, body]) => `${n} ::= ${body}`);
    for (const p of prims) lines.push(`${p} ::= ${PRIMITIVE_RULES[p]}`);
    return lines.join("\n");
  }

  /** A rule name for `hint`, unique in this grammar. */
  private name(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "r";
    let n = base;
    for (let i = 1; this.rules.has(n) || n in PRIMITIVE_RULES; i++) n = `${base}-${i}`;
    this.rules.set(n, ""); // reserve
    return n;
  }

  /** Defines a named rule for `schema` and returns its name. */
  private define(schema: Schema, hint: string): string {
    const n = this.name(hint);
    this.rules.set(n, this.visit(schema, n));
    return n;
  }

  private prim(name: string): string {
    this.primitives.add(name);
    return name;
  }

  /** A GBNF expression for `schema`. */
  private visit(schema: Schema, path: string): string {
    if (schema === true || (typeof schema === "object" && Object.keys(schema).length === 0))
      return this.prim("value");
    if (schema === false) throw new UnsupportedSchemaError(`${path} is the false schema`);
    if (typeof schema !== "object" || schema === null || Array.isArray(schema))
      throw new UnsupportedSchemaError(`${path} is not a schema object`);
    const s = schema;
    if (typeof s.$ref === "string") return this.ref(s.$ref);
    if ("const" in s) return jsonLiteral(s.const);
    if (Array.isArray(s.enum)) {
      if (s.enum.length === 0) throw new UnsupportedSchemaError(`${path} has an empty enum`);
      return `(${s.enum.map(jsonLiteral).join(" | ")})`;
    }
    const alts = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
    if (Array.isArray(alts)) {
      return `(${alts.map((a, i) => this.define(a, `${path}-${i}`)).join(" | ")})`;
    }
    if (Array.isArray(s.allOf)) return this.visit(mergeAllOf(s.allOf as Schema[], path), path);
    const type = s.type;
    if (Array.isArray(type)) {
      return `(${type.map((t) => this.visit({ ...s, type: t }, `${path}-${t}`)).join(" | ")})`;
    }
    if (type === undefined) {
      if (s.properties) return this.object(s, path);
      if (s.items) return this.array(s, path);
      return this.prim("value");
    }
    if (type === "object") return this.object(s, path);
    if (type === "array") return this.array(s, path);
    if (type === "string") return this.string(s);
    if (typeof type === "string" && PRIMITIVE_TYPES.has(type)) return this.prim(type);
    throw new UnsupportedSchemaError(`${path} has unknown type ${JSON.stringify(type)}`);
  }

  private string(s: Record<string, unknown>): string {
    const min = typeof s.minLength === "number" ? s.minLength : 0;
    const max = typeof s.maxLength === "number" ? s.maxLength : undefined;
    if (min === 0 && max === undefined) return this.prim("string");
    this.prim("char");
    this.prim("space");
    return `"\\"" char${repeat(min, max)} "\\"" space`;
  }

  private array(s: Record<string, unknown>, path: string): string {
    const items = (s.items ?? true) as Schema;
    const item = this.define(items, `${path}-item`);
    this.prim("space");
    const min = typeof s.minItems === "number" ? s.minItems : 0;
    const max = typeof s.maxItems === "number" ? s.maxItems : undefined;
    if (max === 0) return '"[" space "]" space';
    const rest = `("," space ${item})${repeat(Math.max(0, min - 1), max === undefined ? undefined : max - 1)}`;
    const body = `${item} ${rest}`;
    return `"[" space ${min === 0 ? `(${body})?` : body} "]" space`;
  }

  private object(s: Record<string, unknown>, path: string): string {
    const props = (s.properties ?? {}) as Record<string, Schema>;
    const names = Object.keys(props);
    if (names.length === 0) return this.prim("object");
    this.prim("space");
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    const kv = new Map(
      names.map((k) => [
        k,
        `${literal(JSON.stringify(k))} space ":" space ${this.define(props[k] as Schema, `${path}-${k}`)}`,
      ]),
    );
    const req = names.filter((k) => required.has(k)).map((k) => kv.get(k) as string);
    const opt = names.filter((k) => !required.has(k)).map((k) => kv.get(k) as string);
    let body: string;
    if (req.length > 0) {
      body = [req.join(' "," space '), ...opt.map((o) => `("," space ${o})?`)].join(" ");
    } else {
      // Any non-empty ordered subset: pick the first present property, then each later one optionally.
      const starts = opt.map((first, i) =>
        [first, ...opt.slice(i + 1).map((o) => `("," space ${o})?`)].join(" "),
      );
      body = `(${starts.join(" | ")})?`;
    }
    return `"{" space ${body} "}" space`;
  }

  private ref(ref: string): string {
    const known = this.refs.get(ref);
    if (known) return known;
    const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
    const defs = m ? (this.root[m[1] as string] as Record<string, Schema> | undefined) : undefined;
    const target = m && defs ? defs[decodeURIComponent(m[2] as string)] : undefined;
    if (target === undefined) throw new UnsupportedSchemaError(`cannot resolve $ref ${JSON.stringify(ref)}`);
    const n = this.name(`ref-${m?.[2]}`);
    this.refs.set(ref, n); // set before visiting so recursive schemas terminate
    this.rules.set(n, this.visit(target, n));
    return n;
  }
}

/** allOf of object schemas as one object schema (properties and required lists merged). */
function mergeAllOf(parts: Schema[], path: string): Record<string, unknown> {
  const out: Record<string, unknown> = { type: "object", properties: {}, required: [] };
  for (const p of parts) {
    if (typeof p !== "object" || (p.type !== undefined && p.type !== "object") || !p.properties)
      throw new UnsupportedSchemaError(`${path}: allOf is supported for object schemas only`);
    Object.assign(out.properties as object, p.properties);
    (out.required as string[]).push(...((p.required as string[]) ?? []));
  }
  return out;
}
