/**
 * A JSON Schema `pattern` as a GBNF rule for a JSON string whose decoded text matches it. ECMA-262
 * semantics: a pattern matches anywhere unless anchored, so an alternative without `^` may be preceded by any
 * text and one without `$` followed by any. With minLength/maxLength the language is narrowed to strings
 * within them (see regex-length.ts).
 */
import { InvalidSchemaError, UnsupportedSchemaError } from "../errors.ts";
import type { GrammarBuilder } from "./builder.ts";
import { ANY, jsonCharExpr } from "./charset.ts";
import { parseRegex, type RegexNode, RegexInvalid, RegexUnsupported } from "./regex.ts";
import { fitLength } from "./regex-length.ts";
import { literal } from "./primitives.ts";

/** Length bounds (in code points) that the string must also satisfy. */
export interface LengthBounds {
  min: number;
  max: number | undefined;
}

/**
 * A rule for JSON strings matching `pattern` (and `len`, when given), named after `hint`. Throws a 400 naming
 * `pattern` at `path` for regex syntax a grammar cannot express or a malformed regex.
 */
export function patternRule(
  b: GrammarBuilder,
  pattern: string,
  hint: string,
  path: string,
  len?: LengthBounds,
): string {
  let tree: RegexNode;
  try {
    tree = parseRegex(pattern);
  } catch (e) {
    if (e instanceof RegexUnsupported) throw new UnsupportedSchemaError(path, "pattern", `uses ${e.message}`);
    if (e instanceof RegexInvalid)
      throw new InvalidSchemaError(path, `pattern ${JSON.stringify(pattern)}: ${e.message}`);
    throw e;
  }
  let alts = (tree.k === "alt" ? tree.alts : [tree]).map(anchored);
  if (alts.some((a) => a.some(hasAnchor)))
    throw new UnsupportedSchemaError(
      path,
      "pattern",
      "has ^ or $ inside; only at the ends of top-level alternatives",
    );
  if (len && (len.min > 0 || len.max !== undefined)) {
    alts = alts.map((a) => fitLength(a, len.min, len.max)).filter((a): a is RegexNode[] => a !== null);
    if (alts.length === 0)
      throw new UnsupportedSchemaError(path, "pattern", "cannot be met within minLength/maxLength");
  }
  const emitter = new Emitter(b, hint, path);
  const bodies = alts.map((a) => emitter.seq(a));
  const body = bodies.length === 1 ? bodies[0] || '""' : `(${bodies.map((x) => x || '""').join(" | ")})`;
  return b.rule(hint, `"\\"" ${body} "\\""`);
}

/** A top-level alternative as a sequence, any text standing in for a missing ^ or $. */
function anchored(n: RegexNode): RegexNode[] {
  const items = n.k === "seq" ? [...n.items] : [n];
  const any: RegexNode = { k: "rep", node: { k: "chars", set: ANY }, min: 0, max: undefined };
  if (items[0]?.k === "start") items.shift();
  else items.unshift(any);
  if (items.at(-1)?.k === "end") items.pop();
  else items.push(any);
  return items;
}

function hasAnchor(n: RegexNode): boolean {
  if (n.k === "start" || n.k === "end") return true;
  if (n.k === "seq") return n.items.some(hasAnchor);
  if (n.k === "alt") return n.alts.some(hasAnchor);
  if (n.k === "rep") return hasAnchor(n.node);
  return false;
}

/** Emits regex nodes as GBNF, naming repeated groups (libllama limits how many rules a repetition may copy). */
class Emitter {
  private n = 0;
  constructor(
    private readonly b: GrammarBuilder,
    private readonly hint: string,
    private readonly path: string,
  ) {}

  seq(items: RegexNode[]): string {
    const out: string[] = [];
    let text = "";
    for (const n of items) {
      const cp = plainCodePoint(n);
      if (cp !== undefined) {
        text += String.fromCodePoint(cp);
        continue;
      }
      if (text) out.push(literal(text));
      text = "";
      out.push(this.node(n));
    }
    if (text) out.push(literal(text));
    return out.join(" ");
  }

  node(n: RegexNode): string {
    switch (n.k) {
      case "chars": {
        if (n.set === ANY) return this.b.prim("char");
        const e = jsonCharExpr(n.set);
        if (e === null)
          throw new UnsupportedSchemaError(
            this.path,
            "pattern",
            "has a character class that matches nothing",
          );
        return e;
      }
      case "seq": {
        const s = this.seq(n.items);
        return n.items.length === 1 ? s : `(${s || '""'})`;
      }
      case "alt":
        return `(${this.inline(n)})`;
      case "rep": {
        const inner =
          n.node.k === "chars"
            ? this.node(n.node)
            : this.b.rule(`${this.hint}-${++this.n}`, this.inline(n.node));
        return this.b.repeat(inner, n.min, n.max) || '""';
      }
      default:
        throw new UnsupportedSchemaError(this.path, "pattern", "has ^ or $ inside");
    }
  }

  /** A node as a rule body (no outer parentheses needed). */
  private inline(n: RegexNode): string {
    if (n.k === "seq") return this.seq(n.items) || '""';
    if (n.k === "alt")
      return n.alts.map((a) => (a.k === "seq" ? this.seq(a.items) : this.node(a)) || '""').join(" | ");
    return this.node(n);
  }
}

/** The code point of a node matching one character that a JSON string holds unescaped, if it is one. */
function plainCodePoint(n: RegexNode): number | undefined {
  if (n.k !== "chars" || n.set.length !== 1) return undefined;
  const [a, b] = n.set[0] as readonly [number, number];
  if (a !== b || a < 0x20 || a === 0x22 || a === 0x5c || (a >= 0xd800 && a <= 0xdfff)) return undefined;
  return a;
}
