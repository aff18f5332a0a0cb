/**
 * A parser for the regular-expression subset a grammar can express (JSON Schema's `pattern` is an ECMA-262
 * regex): literals, escapes, classes (`\d \w \s` and their negations too), `.`, groups (capturing,
 * non-capturing, named), alternation, greedy or lazy quantifiers `? * + {m} {m,} {m,n}`, and `^`/`$` at the
 * ends of top-level alternatives. Lookarounds, backreferences, word boundaries and Unicode property escapes
 * have no grammar equivalent: they throw RegexUnsupported; malformed patterns throw RegexInvalid.
 */
import { type CharSet, complement, DIGIT, DOT, SPACE, single, union, WORD } from "./charset.ts";

/** A parsed regex. `chars` matches one code point of `set`. */
export type RegexNode =
  | { k: "chars"; set: CharSet }
  | { k: "seq"; items: RegexNode[] }
  | { k: "alt"; alts: RegexNode[] }
  | { k: "rep"; node: RegexNode; min: number; max: number | undefined }
  | { k: "start" }
  | { k: "end" };

/** A valid regex construct that no grammar can express. */
export class RegexUnsupported extends Error {}
/** A malformed regex. */
export class RegexInvalid extends Error {}

const MAX_DEPTH = 50;
const ESCAPE_CHARS: Readonly<Record<string, number>> = { n: 10, r: 13, t: 9, f: 12, v: 11, "0": 0 };

/** Parses `pattern` into a tree. */
export function parseRegex(pattern: string): RegexNode {
  const cps = [...pattern];
  let i = 0;
  let depth = 0;
  const peek = () => cps[i];
  const eat = (s: string) => (cps[i] === s ? (i++, true) : false);

  const hex = (n: number): number => {
    const h = cps.slice(i, i + n).join("");
    if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) throw new RegexInvalid(`bad escape near position ${i}`);
    i += n;
    return Number.parseInt(h, 16);
  };

  /** After a backslash: a set (for class escapes) or a single code point. */
  const escape = (inClass: boolean): CharSet => {
    const c = cps[i++];
    if (c === undefined) throw new RegexInvalid("trailing backslash");
    switch (c) {
      case "d":
        return DIGIT;
      case "D":
        return complement(DIGIT);
      case "w":
        return WORD;
      case "W":
        return complement(WORD);
      case "s":
        return SPACE;
      case "S":
        return complement(SPACE);
      case "b":
        if (inClass) return single(8);
        throw new RegexUnsupported("word boundary \\b");
      case "B":
        throw new RegexUnsupported("word boundary \\B");
      case "x":
        return single(hex(2));
      case "u":
        if (eat("{")) {
          const start = i;
          while (i < cps.length && cps[i] !== "}") i++;
          const cp = Number.parseInt(cps.slice(start, i).join(""), 16);
          if (!eat("}") || Number.isNaN(cp) || cp > 0x10ffff) throw new RegexInvalid("bad \\u{…} escape");
          return single(cp);
        }
        return single(hex(4));
      case "c": {
        const l = cps[i++] ?? "";
        if (!/^[A-Za-z]$/.test(l)) throw new RegexInvalid("bad \\c escape");
        return single((l.codePointAt(0) as number) % 32);
      }
      case "p":
      case "P":
        throw new RegexUnsupported("Unicode property escape");
      case "k":
        throw new RegexUnsupported("backreference");
    }
    if (c in ESCAPE_CHARS && !(c === "0" && /[0-9]/.test(cps[i] ?? "")))
      return single(ESCAPE_CHARS[c] as number);
    if (/[0-9]/.test(c)) throw new RegexUnsupported("backreference");
    return single(c.codePointAt(0) as number);
  };

  const classAtom = (): CharSet => {
    const c = cps[i++];
    if (c === undefined) throw new RegexInvalid("unterminated character class");
    return c === "\\" ? escape(true) : single(c.codePointAt(0) as number);
  };

  const charClass = (): CharSet => {
    const negate = eat("^");
    const parts: CharSet[] = [];
    let first = true;
    while (first || peek() !== "]") {
      first = false;
      if (i >= cps.length) throw new RegexInvalid("unterminated character class");
      if (peek() === "]") break;
      const lo = classAtom();
      if (peek() === "-" && cps[i + 1] !== "]" && cps[i + 1] !== undefined) {
        i++;
        const hi = classAtom();
        if (lo.length !== 1 || hi.length !== 1 || lo[0]?.[0] !== lo[0]?.[1] || hi[0]?.[0] !== hi[0]?.[1])
          throw new RegexInvalid("a class escape cannot bound a range");
        const a = lo[0]?.[0] as number;
        const b = hi[0]?.[0] as number;
        if (a > b) throw new RegexInvalid("character class range out of order");
        parts.push([[a, b]]);
      } else parts.push(lo);
    }
    i++; // ]
    const set = union(...parts);
    return negate ? complement(set) : set;
  };

  const quantifier = (): [number, number | undefined] | null => {
    const c = peek();
    if (c === "*") return (i++, [0, undefined]);
    if (c === "+") return (i++, [1, undefined]);
    if (c === "?") return (i++, [0, 1]);
    if (c !== "{") return null;
    const m = /^\{(\d+)(,(\d*))?\}/.exec(cps.slice(i, i + 24).join(""));
    if (!m) return null; // a lone "{" is a literal
    i += [...m[0]].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === "" ? undefined : Number(m[3]);
    if (max !== undefined && max < min) throw new RegexInvalid("numbers out of order in {} quantifier");
    return [min, max];
  };

  const atom = (): RegexNode => {
    const c = cps[i++] as string;
    if (c === "(") {
      if (++depth > MAX_DEPTH) throw new RegexUnsupported("groups nested too deeply");
      if (eat("?")) {
        if (eat(":")) {
          // non-capturing
        } else if (peek() === "<" && cps[i + 1] !== "=" && cps[i + 1] !== "!") {
          while (i < cps.length && cps[i] !== ">") i++;
          if (!eat(">")) throw new RegexInvalid("unterminated group name");
        } else throw new RegexUnsupported("lookaround or inline flags");
      }
      const inner = alternation();
      if (!eat(")")) throw new RegexInvalid("unbalanced parentheses");
      depth--;
      return inner;
    }
    if (c === "[") return { k: "chars", set: charClass() };
    if (c === ".") return { k: "chars", set: DOT };
    if (c === "^") return { k: "start" };
    if (c === "$") return { k: "end" };
    if (c === "\\") return { k: "chars", set: escape(false) };
    if (c === "*" || c === "+" || c === "?") throw new RegexInvalid("nothing to repeat");
    return { k: "chars", set: single(c.codePointAt(0) as number) };
  };

  const sequence = (): RegexNode => {
    const items: RegexNode[] = [];
    while (i < cps.length && peek() !== "|" && peek() !== ")") {
      if (peek() === "{" && /^\{\d+(,\d*)?\}/.test(cps.slice(i, i + 24).join("")))
        throw new RegexInvalid("nothing to repeat");
      let node = atom();
      for (let q = quantifier(); q; q = quantifier()) {
        if (node.k === "start" || node.k === "end") throw new RegexInvalid("nothing to repeat");
        node = { k: "rep", node, min: q[0], max: q[1] };
        eat("?"); // lazy: the same set of strings
      }
      items.push(node);
    }
    return items.length === 1 ? (items[0] as RegexNode) : { k: "seq", items };
  };

  function alternation(): RegexNode {
    const alts = [sequence()];
    while (eat("|")) alts.push(sequence());
    return alts.length === 1 ? (alts[0] as RegexNode) : { k: "alt", alts };
  }

  const tree = alternation();
  if (i < cps.length) throw new RegexInvalid("unbalanced parentheses");
  return tree;
}

/** The least and greatest number of code points `n` matches (undefined = unbounded). */
export function lengthRange(n: RegexNode): [number, number | undefined] {
  switch (n.k) {
    case "chars":
      return [1, 1];
    case "start":
    case "end":
      return [0, 0];
    case "seq":
      return n.items
        .map(lengthRange)
        .reduce(([a, b], [c, d]) => [a + c, b === undefined || d === undefined ? undefined : b + d], [
          0, 0,
        ] as [number, number | undefined]);
    case "alt": {
      const rs = n.alts.map(lengthRange);
      return [
        Math.min(...rs.map((r) => r[0])),
        rs.some((r) => r[1] === undefined) ? undefined : Math.max(...rs.map((r) => r[1] as number)),
      ];
    }
    case "rep": {
      const [a, b] = lengthRange(n.node);
      return [
        a * n.min,
        n.max === undefined ? (b === 0 ? 0 : undefined) : b === undefined ? undefined : b * n.max,
      ];
    }
  }
}
