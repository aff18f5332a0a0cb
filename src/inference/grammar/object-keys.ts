/**
 * Keys of extra (additionalProperties) members: any JSON string except the declared names, so an extra member
 * never overrides a declared one, optionally within a length range (propertyNames' minLength/maxLength).
 * Keys are written without escapes, which keeps "differs from every declared name" a property of the
 * written characters (a trie over the names).
 */
import type { GrammarBuilder } from "./builder.ts";
import { classChar, literal, NOT_TEXT } from "./primitives.ts";

const EXCLUDED = `"\\\\\\x7F\\x00-\\x1F${NOT_TEXT}`;

interface Node {
  end: boolean;
  next: Map<number, Node>;
}

/** Length bounds for keys, in characters. */
export interface KeyLength {
  min: number;
  max: number | undefined;
}

/** A rule for a quoted key that is none of `names` and has a length within `len`. */
export function extraKeyRule(
  b: GrammarBuilder,
  names: string[],
  hint: string,
  len: KeyLength = { min: 0, max: undefined },
): string {
  const keyChar = b.rule("key-char", `[^${EXCLUDED}]`);
  const root: Node = { end: false, next: new Map() };
  for (const n of names) {
    const cps = [...n].map((c) => c.codePointAt(0) as number);
    if (cps.some((c) => c < 0x20 || c === 0x22 || c === 0x5c || c === 0x7f)) continue; // never generated anyway
    let node = root;
    for (const c of cps) {
      let nx = node.next.get(c);
      if (!nx) node.next.set(c, (nx = { end: false, next: new Map() }));
      node = nx;
    }
    node.end = true;
  }
  // From a trie node at depth d: the rest of a key that completes no name (empty only if no name ends here).
  const visit = (node: Node, d: number): string | null => {
    const alts: string[] = [];
    if (len.max === undefined || d < len.max) {
      for (const [c, nx] of node.next) {
        const sub = visit(nx, d + 1);
        if (sub !== null) alts.push(`${literal(String.fromCodePoint(c))} ${sub}`.trim());
      }
      const others = [...node.next.keys()].map(classChar).join("");
      const more = b.repeat(
        keyChar,
        Math.max(0, len.min - d - 1),
        len.max === undefined ? undefined : len.max - d - 1,
      );
      alts.push(`[^${EXCLUDED}${others}] ${more}`.trim());
    }
    const empty = !node.end && d >= len.min;
    if (alts.length === 0) return empty ? "" : null;
    return `(${alts.join(" | ")})${empty ? "?" : ""}`;
  };
  return b.rule(hint, `"\\"" ${visit(root, 0) ?? '""'} "\\""`);
}
