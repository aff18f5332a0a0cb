/**
 * Object schemas as grammars. Properties come in declared order, required ones first (as llama.cpp's
 * converter does), each optional one may be left out. Extra key-value pairs (additionalProperties true or a
 * schema, patternProperties) may follow the declared ones; their keys never repeat a declared name. Where a
 * keyword cannot be expressed exactly the grammar generates a conforming subset: dependentRequired makes the
 * dependents required, minProperties makes the first optional properties required, maxProperties drops the
 * optional properties beyond the budget.
 */
import { InvalidSchemaError, UnsupportedSchemaError } from "../errors.ts";
import { COLON, type Converter } from "./converter-types.ts";
import { child, constraintsOf, count, isSchemaObject, type Schema, type SchemaObject } from "./keywords.ts";
import { safeTest, satisfies } from "./literal-check.ts";
import { extraKeyRule, type KeyLength } from "./object-keys.ts";
import { literal } from "./primitives.ts";
import { patternRule } from "./regex-gbnf.ts";

/** The rule body for an object schema `s` at `path`. */
export function objectBody(cv: Converter, s: SchemaObject, path: string, hint: string): string {
  const { b } = cv;
  const props = { ...(propsOf(s, path) ?? {}) };
  const patterns = patternsOf(s, path);
  const additional = extrasSchema(s, path, props, patterns);
  for (const name of Object.keys(props))
    for (const [p] of patterns)
      if (safeTest(p, name))
        throw new UnsupportedSchemaError(
          path,
          "patternProperties",
          `${JSON.stringify(p)} also matches declared property ${JSON.stringify(name)}`,
        );
  const required = new Set(stringList(s, "required", path));
  for (const [k, deps] of Object.entries(dependents(s, path)))
    if (Object.hasOwn(props, k)) for (const d of deps) required.add(d);
  for (const r of required)
    if (!Object.hasOwn(props, r)) {
      const schema = patterns.find(([p]) => safeTest(p, r))?.[1] ?? additional;
      if (schema === undefined)
        throw new UnsupportedSchemaError(
          path,
          "required",
          `names ${JSON.stringify(r)}, which no property may be`,
        );
      props[r] = schema;
    }
  for (const [name, ps] of Object.entries(props)) {
    if (ps === false || (s.propertyNames !== undefined && !satisfies(name, s.propertyNames as Schema))) {
      if (required.has(name))
        throw new UnsupportedSchemaError(
          path,
          "required",
          `names ${JSON.stringify(name)}, which cannot be present`,
        );
      delete props[name];
    }
  }
  const names = Object.keys(props);
  const req = names.filter((n) => required.has(n));
  let opt = names.filter((n) => !required.has(n));
  const hasExtras = additional !== undefined || patterns.length > 0;
  let xmin = 0;
  let xmax: number | undefined = hasExtras ? undefined : 0;
  const minP = count(s, "minProperties", path) ?? 0;
  while (req.length < minP && opt.length > 0) req.push(opt.shift() as string);
  if (req.length < minP) {
    if (!hasExtras)
      throw new UnsupportedSchemaError(path, "minProperties", "exceeds the properties the object may have");
    xmin = minP - req.length;
  }
  const maxP = count(s, "maxProperties", path);
  if (maxP !== undefined) {
    if (req.length > maxP)
      throw new UnsupportedSchemaError(path, "maxProperties", "is less than the required properties");
    opt = opt.slice(0, maxP - req.length);
    xmax = Math.min(xmax ?? Infinity, maxP - req.length - opt.length);
    if (xmax < xmin)
      throw new UnsupportedSchemaError(path, "maxProperties", "cannot be met together with minProperties");
  }
  const kv = (n: string) =>
    `${literal(JSON.stringify(n))} ${COLON} ${cv.visit(props[n] as Schema, child(path, "properties", n), `${hint}-${n}`)}`;
  let extra: string | undefined;
  if (xmax !== 0 && hasExtras) {
    const keyLen = lengthOnly(s.propertyNames, child(path, "propertyNames"));
    if (s.propertyNames !== undefined && (patterns.length > 0 || (names.length > 0 && !keyLen)))
      throw new UnsupportedSchemaError(
        path,
        "propertyNames",
        "beyond minLength/maxLength, together with declared properties and additional ones, cannot be enforced",
      );
    const alts = patterns.map(([p, ps], i) => {
      const key = patternRule(b, p, `${hint}-pattern-${i}-key`, child(path, "patternProperties", p));
      return `${key} ${COLON} ${cv.visit(ps, child(path, "patternProperties", p), `${hint}-pattern-${i}`)}`;
    });
    if (patterns.length === 0 && additional !== undefined) {
      const key =
        s.propertyNames !== undefined && !keyLen
          ? cv.visit(
              { type: "string", ...(s.propertyNames as SchemaObject) },
              child(path, "propertyNames"),
              `${hint}-key`,
            )
          : extraKeyRule(
              b,
              [...names, ...Object.keys(dependents(s, path))],
              `${hint}-additional-key`,
              keyLen,
            );
      alts.push(
        `${key} ${COLON} ${additional === true ? b.prim("value") : cv.visit(additional, child(path, "additionalProperties"), `${hint}-additional`)}`,
      );
    }
    extra = b.rule(`${hint}-additional-kv`, alts.join(" | "));
  }
  b.prim("space");
  const reqKvs = req.map(kv);
  const optKvs = opt.map((n) => b.rule(`${hint}-${n}-kv`, kv(n)));
  const extraTail = extra === undefined ? "" : b.repeat(`("," space ${extra})`, xmin, xmax);
  if (reqKvs.length > 0) {
    const body = [reqKvs.join(' "," space '), ...optKvs.map((o) => `("," space ${o})?`), extraTail];
    return `"{" space ${body.filter(Boolean).join(" ")} space "}"`;
  }
  // No required property: any one may come first, the later ones each optionally (one rule per suffix).
  const rest: string[] = [];
  let tail = extraTail;
  for (let i = optKvs.length - 1; i >= 0; i--) {
    rest[i] = tail;
    if (i > 0)
      tail = tail
        ? b.rule(`${hint}-${opt[i]}-rest`, `("," space ${optKvs[i]})? ${tail}`)
        : `("," space ${optKvs[i]})?`;
  }
  const starts = optKvs.map((o, i) => [o, rest[i]].filter(Boolean).join(" "));
  if (extra !== undefined)
    starts.push(
      [
        extra,
        b.repeat(`("," space ${extra})`, Math.max(0, xmin - 1), xmax === undefined ? undefined : xmax - 1),
      ]
        .filter(Boolean)
        .join(" "),
    );
  if (starts.length === 0) return '"{" space "}"';
  return `"{" space (${group(starts)} space)${xmin > 0 ? "" : "?"} "}"`;
}

function propsOf(s: SchemaObject, path: string): Record<string, Schema> | undefined {
  if (s.properties === undefined) return undefined;
  if (!isSchemaObject(s.properties)) throw new InvalidSchemaError(path, "properties must be an object");
  return s.properties as Record<string, Schema>;
}

function patternsOf(s: SchemaObject, path: string): [string, Schema][] {
  if (s.patternProperties === undefined) return [];
  if (!isSchemaObject(s.patternProperties))
    throw new InvalidSchemaError(path, "patternProperties must be an object");
  return Object.entries(s.patternProperties as Record<string, Schema>);
}

/** The schema extra keys' values must match, true for any, undefined when no extra keys are generated. */
function extrasSchema(
  s: SchemaObject,
  path: string,
  props: Record<string, Schema>,
  patterns: [string, Schema][],
): Schema | undefined {
  const a = s.additionalProperties;
  const u = s.unevaluatedProperties;
  if (u !== undefined && typeof u !== "boolean" && a === undefined)
    throw new UnsupportedSchemaError(
      path,
      "unevaluatedProperties",
      "with a schema is not supported; use additionalProperties",
    );
  if (patterns.length > 0) return undefined;
  if (a === undefined) return Object.keys(props).length === 0 && u !== false ? true : undefined;
  if (a === false) return undefined;
  if (a === true || isSchemaObject(a)) return a as Schema;
  throw new InvalidSchemaError(path, "additionalProperties must be a boolean or a schema");
}

function stringList(s: SchemaObject, key: string, path: string): string[] {
  const v = s[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw new InvalidSchemaError(path, `${key} must be an array of strings`);
  return v as string[];
}

/** dependentRequired (and draft-7 `dependencies` with arrays) as name → names it requires. */
function dependents(s: SchemaObject, path: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const key of ["dependentRequired", "dependencies"]) {
    const v = s[key];
    if (v === undefined) continue;
    if (!isSchemaObject(v)) throw new InvalidSchemaError(path, `${key} must be an object`);
    for (const [k, deps] of Object.entries(v)) {
      if (!Array.isArray(deps))
        throw new UnsupportedSchemaError(
          path,
          key,
          `with a schema (for ${JSON.stringify(k)}) cannot be enforced`,
        );
      out[k] = [...(out[k] ?? []), ...stringList({ d: deps }, "d", child(path, key, k))];
    }
  }
  return out;
}

/** Alternatives as one parenthesised group when there are several. */
function group(alts: string[]): string {
  return alts.length === 1 ? (alts[0] as string) : `(${alts.join(" | ")})`;
}

/** propertyNames' length range when it constrains nothing else (a string type aside). */
function lengthOnly(names: unknown, path: string): KeyLength | undefined {
  if (!isSchemaObject(names)) return undefined;
  const c = constraintsOf(names);
  if (
    Object.keys(c).some((k) => k !== "type" && k !== "minLength" && k !== "maxLength") ||
    (c.type ?? "string") !== "string"
  )
    return undefined;
  return { min: count(c, "minLength", path) ?? 0, max: count(c, "maxLength", path) };
}
