/**
 * GBNF building blocks for JSON: the primitive rules every schema grammar may reference, and literal and
 * character-class escaping.
 *
 * Whitespace: values carry no whitespace of their own. `space` (optional, bounded) may follow `{`, `[` and
 * `,` and precede `}` and `]`; a key is followed directly by `:` and at most one space. So compact,
 * `json.dumps`-style and pretty-printed documents are all possible, a model can never pad a key with
 * twenty spaces, and a document ends at its last bracket (nothing may trail the root value).
 */

/**
 * Code points a negated class must exclude besides its own: libllama decodes any byte sequence a model's
 * byte tokens spell, and an invalid one (0xF8 lead bytes, encoded surrogates) yields these values.
 */
export const NOT_TEXT = "\\ud800-\\udfff\\U00110000-\\UFFFFFFFF";

/** Rules for JSON primitives and for "any JSON value", by name. */
export const PRIMITIVE_RULES: Readonly<Record<string, string>> = {
  space: '| " " | "\\n"{1,2} [ \\t]{0,20}',
  boolean: '"true" | "false"',
  null: '"null"',
  // 15 digits at most: every integer the grammar allows survives a round trip through a JS number.
  "integral-part": "[0] | [1-9] [0-9]{0,14}",
  "decimal-part": "[0-9]{1,15}",
  integer: '"-"? integral-part',
  number: '"-"? integral-part ("." decimal-part)? ([eE] [-+]? [0-9]{1,2})?',
  // No escaped surrogate halves: a decoded string then has exactly one code point per `char`. NOT_TEXT
  // keeps out what libllama decodes from byte tokens that are not UTF-8 (surrogates, past U+10FFFF).
  char: `[^"\\\\\\x7F\\x00-\\x1F${NOT_TEXT}] | "\\\\" (["\\\\/bfnrt] | "u" ([0-9a-cA-Ce-fE-F] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2}))`,
  string: '"\\"" char* "\\""',
  value: "object | array | string | number | boolean | null",
  object: '"{" space (string ":" " "? value ("," space string ":" " "? value)* space)? "}"',
  array: '"[" space (value ("," space value)* space)? "]"',
};

/** Which primitive rules each primitive rule needs (transitively closed by `withDependencies`). */
const DEPENDS: Readonly<Record<string, readonly string[]>> = {
  integer: ["integral-part"],
  number: ["integral-part", "decimal-part"],
  string: ["char"],
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

/** A GBNF expression matching the compact JSON serialisation of `value`. */
export function jsonLiteral(value: unknown): string {
  return literal(JSON.stringify(value));
}

/** One code point as a member of a GBNF character class (`[...]`), escaped where the class syntax needs it. */
export function classChar(cp: number): string {
  const c = String.fromCodePoint(cp);
  if (/^[A-Za-z0-9 !$%&'()*+,./:;<=>?@_`{|}~]$/.test(c)) return c;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, "0")}`;
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, "0")}`;
  return `\\U${cp.toString(16).padStart(8, "0")}`;
}

/** GBNF repetition suffix for between `min` and `max` (undefined = unbounded) occurrences. */
export function repeat(min: number, max: number | undefined): string {
  if (max === undefined) return min === 0 ? "*" : min === 1 ? "+" : `{${min},}`;
  if (min === 0 && max === 1) return "?";
  if (min === max) return min === 1 ? "" : `{${min}}`;
  return `{${min},${max}}`;
}

/** The primitive rules as GBNF lines, `names` and their dependencies. */
export function primitiveLines(names: Iterable<string>): string[] {
  return [...withDependencies(names)].map((n) => `${n} ::= ${PRIMITIVE_RULES[n]}`);
}

/** The grammar for `format: "json"`: a JSON object (Ollama's JSON mode never yields a bare scalar). */
export function anyJsonGrammar(): string {
  return ["root ::= object", ...primitiveLines(["object"])].join("\n");
}
