/**
 * GBNF building blocks for JSON: the primitive rules every schema grammar may reference, and literal
 * escaping. Whitespace is bounded so a constrained model can always reach the end of the document.
 */

/** Rules for JSON primitives and for "any JSON value", by name. */
export const PRIMITIVE_RULES: Readonly<Record<string, string>> = {
  space: '| " " | "\\n" [ \\t]{0,20}',
  boolean: '("true" | "false") space',
  null: '"null" space',
  "integral-part": "[0] | [1-9] [0-9]{0,14}",
  "decimal-part": "[0-9]{1,16}",
  integer: '("-"? integral-part) space',
  number: '("-"? integral-part) ("." decimal-part)? ([eE] [-+]? [0-9]{1,2})? space',
  char: '[^"\\\\\\x7F\\x00-\\x1F] | [\\\\] (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4})',
  string: '"\\"" char* "\\"" space',
  value: "object | array | string | number | boolean | null",
  object: '"{" space ( string ":" space value ("," space string ":" space value)* )? "}" space',
  array: '"[" space ( value ("," space value)* )? "]" space',
};

/** Which primitive rules each primitive rule needs (transitively closed by `withDependencies`). */
const DEPENDS: Readonly<Record<string, readonly string[]>> = {
  boolean: ["space"],
  null: ["space"],
  integer: ["integral-part", "space"],
  number: ["integral-part", "decimal-part", "space"],
  string: ["char", "space"],
  value: ["object", "array", "string", "number", "boolean", "null"],
  object: ["string", "value", "space"],
  array: ["value", "space"],
};

/** `names` plus every primitive rule they depend on. */
export function withDependencies(names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const visit = (n: string) => {
    if (out.has(n)) return;
    out.add(n);
    for (const d of DEPENDS[n] ?? []) visit(d);
  };
  for (const n of names) visit(n);
  return out;
}

/** A GBNF string literal matching exactly `text`. */
export function literal(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A GBNF expression matching the JSON serialisation of `value` followed by optional space. */
export function jsonLiteral(value: unknown): string {
  return `${literal(JSON.stringify(value))} space`;
}

/** GBNF repetition suffix for between `min` and `max` (undefined = unbounded) occurrences. */
export function repeat(min: number, max: number | undefined): string {
  if (max === undefined) return min === 0 ? "*" : min === 1 ? "+" : `{${min},}`;
  if (min === 0 && max === 1) return "?";
  return `{${min},${max}}`;
}

/** The grammar for `format: "json"`: any JSON value. */
export function anyJsonGrammar(): string {
  const names = withDependencies(["value"]);
  return ["root ::= value", ...[...names].map((n) => `${n} ::= ${PRIMITIVE_RULES[n]}`)].join("\n");
}
