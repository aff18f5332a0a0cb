/**
 * Sets of Unicode code points (sorted, disjoint, inclusive ranges) and their GBNF form as one character of a
 * JSON string: a regex class matches decoded characters, the grammar matches their JSON encoding.
 */
import { classChar, literal } from "./primitives.ts";

/** Sorted, disjoint, non-adjacent inclusive ranges of code points. */
export type CharSet = readonly (readonly [number, number])[];

const MAX = 0x10ffff;

/** The set of the given ranges (any order, overlaps allowed). */
export function charSet(ranges: Iterable<readonly [number, number]>): CharSet {
  const sorted = [...ranges].filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Union of sets. */
export function union(...sets: CharSet[]): CharSet {
  return charSet(sets.flat());
}

/** Every code point not in `s`. */
export function complement(s: CharSet): CharSet {
  const out: [number, number][] = [];
  let next = 0;
  for (const [a, b] of s) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= MAX) out.push([next, MAX]);
  return out;
}

/** Code points in `a` but not in `b`. */
export function minus(a: CharSet, b: CharSet): CharSet {
  const nb = complement(b);
  const out: [number, number][] = [];
  for (const [x, y] of a)
    for (const [p, q] of nb) {
      const lo = Math.max(x, p);
      const hi = Math.min(y, q);
      if (lo <= hi) out.push([lo, hi]);
    }
  return charSet(out);
}

/** The set holding exactly `cp`. */
export function single(cp: number): CharSet {
  return [[cp, cp]];
}

/** Every code point (a pattern's implicit text before a missing ^ or after a missing $). */
export const ANY: CharSet = [[0, MAX]];
/** `\d` */
export const DIGIT: CharSet = [[0x30, 0x39]];
/** `\w` */
export const WORD: CharSet = charSet([
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]);
/** `\s` as JavaScript defines it. */
export const SPACE: CharSet = charSet([
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]);
/** `.`: anything but a line terminator. */
export const DOT: CharSet = complement(
  charSet([
    [0x0a, 0x0a],
    [0x0d, 0x0d],
    [0x2028, 0x2029],
  ]),
);

/** What a JSON string cannot hold unescaped, plus surrogates (never valid in UTF-8 text). */
const NEEDS_ESCAPE: CharSet = charSet([
  [0x00, 0x1f],
  [0x22, 0x22],
  [0x5c, 0x5c],
  [0xd800, 0xdfff],
]);

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x08: "b",
  0x09: "t",
  0x0a: "n",
  0x0c: "f",
  0x0d: "r",
  0x22: '"',
  0x5c: "\\",
};

/** A GBNF class for `s` (negated when that is shorter; then also excluding what no UTF-8 text decodes to). */
function gbnfClass(s: CharSet): string {
  const body = (rs: CharSet) =>
    rs.map(([a, b]) => (a === b ? classChar(a) : `${classChar(a)}-${classChar(b)}`)).join("");
  const inv = complement(s);
  return inv.length < s.length ? `[^${body(inv)}\\U00110000-\\UFFFFFFFF]` : `[${body(s)}]`;
}

/** A GBNF expression matching one character of `s` as it appears inside a JSON string; null if `s` is empty. */
export function jsonCharExpr(s: CharSet): string | null {
  const alts: string[] = [];
  const plain = minus(s, NEEDS_ESCAPE);
  if (plain.length > 0) alts.push(gbnfClass(plain));
  // A subset of the set's encodings is enough (the grammar may generate less than the pattern allows):
  // control characters only when the set holds nothing else.
  const escaped = minus(s, minus(s, NEEDS_ESCAPE)).filter(([a]) => a < 0xd800);
  for (const [a, b] of escaped)
    for (let cp = a; cp <= b; cp++) {
      if (cp < 0x20 && plain.length > 0) continue;
      const short = SHORT_ESCAPES[cp];
      alts.push(literal(short ? `\\${short}` : `\\u${cp.toString(16).padStart(4, "0")}`));
    }
  if (alts.length === 0) return null;
  return alts.length === 1 ? (alts[0] as string) : `(${alts.join(" | ")})`;
}

/** Whether `cp` is in `s`. */
export function has(s: CharSet, cp: number): boolean {
  return s.some(([a, b]) => a <= cp && cp <= b);
}
