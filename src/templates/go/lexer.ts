import { TemplateParseError } from "../errors.ts";

/** One token of a Go template: text between actions, or an item inside `{{ }}`. */
export interface Token {
  type:
    | "text"
    | "open"
    | "close"
    | "field"
    | "dot"
    | "var"
    | "ident"
    | "string"
    | "number"
    | "lparen"
    | "rparen"
    | "pipe"
    | "declare"
    | "assign"
    | "comma";
  value: string;
  line: number;
  /** Whitespace came right before this token (separates `$x .F` from `$x.F`). */
  spaced: boolean;
}

const SPACE = /[ \t\r\n]/;
const IDENT = /[\p{L}\p{N}_]/u;

/** Splits a template into tokens, applying `{{-` / `-}}` trimming and dropping comments. */
export function lex(src: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  let trimNext = false;
  const lineAt = (p: number) => src.slice(0, p).split("\n").length;
  while (pos <= src.length) {
    const open = src.indexOf("{{", pos);
    let text = src.slice(pos, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, "");
    trimNext = false;
    if (open < 0) {
      if (text) out.push({ type: "text", value: text, line: lineAt(pos), spaced: false });
      break;
    }
    let p = open + 2;
    if (src[p] === "-" && SPACE.test(src[p + 1] ?? "")) {
      text = text.replace(/[ \t\r\n]+$/, "");
      p += 2;
    }
    if (text) out.push({ type: "text", value: text, line: lineAt(pos), spaced: false });
    const line = lineAt(open);
    if (src.startsWith("/*", p)) {
      const end = src.indexOf("*/", p + 2);
      if (end < 0) throw err(line, "unclosed comment");
      p = end + 2;
      const close = closeAt(src, p);
      if (!close) throw err(line, "comment ends before closing delimiter");
      trimNext = close.trim;
      pos = close.next;
      continue;
    }
    out.push({ type: "open", value: "{{", line, spaced: false });
    pos = lexAction(src, p, out, lineAt, (trim) => {
      trimNext = trim;
    });
  }
  return out;
}

function closeAt(src: string, p: number): { trim: boolean; next: number } | undefined {
  if (src.startsWith("}}", p)) return { trim: false, next: p + 2 };
  if (SPACE.test(src[p] ?? "") && src.startsWith("-}}", p + 1)) return { trim: true, next: p + 4 };
  return undefined;
}

function lexAction(
  src: string,
  start: number,
  out: Token[],
  lineAt: (p: number) => number,
  onClose: (trim: boolean) => void,
): number {
  let p = start;
  let spaced = false;
  const push = (type: Token["type"], value: string, from: number) => {
    out.push({ type, value, line: lineAt(from), spaced });
    spaced = false;
  };
  for (;;) {
    const close = closeAt(src, p);
    if (close) {
      push("close", "}}", p);
      onClose(close.trim);
      return close.next;
    }
    const c = src[p];
    if (c === undefined) throw err(lineAt(start), "unclosed action");
    if (SPACE.test(c)) {
      spaced = true;
      p++;
      continue;
    }
    const from = p;
    if (c === "." && IDENT.test(src[p + 1] ?? "") && !/[0-9]/.test(src[p + 1] ?? "")) {
      p++;
      while (IDENT.test(src[p] ?? "")) p++;
      push("field", src.slice(from + 1, p), from);
    } else if (c === "$") {
      p++;
      while (IDENT.test(src[p] ?? "")) p++;
      push("var", src.slice(from, p), from);
    } else if (c === '"') {
      p++;
      while (src[p] !== '"') {
        if (src[p] === undefined || src[p] === "\n") throw err(lineAt(from), "unterminated quoted string");
        p += src[p] === "\\" ? 2 : 1;
      }
      p++;
      push("string", unquote(src.slice(from + 1, p - 1), lineAt(from)), from);
    } else if (c === "`") {
      const end = src.indexOf("`", p + 1);
      if (end < 0) throw err(lineAt(from), "unterminated raw quoted string");
      p = end + 1;
      push("string", src.slice(from + 1, end), from);
    } else if (c === "'") {
      const m = /^'(\\.|[^'\\])'/u.exec(src.slice(p));
      if (!m) throw err(lineAt(from), "bad character constant");
      p += m[0].length;
      push("number", String(unquote(m[1] as string, lineAt(from)).codePointAt(0)), from);
    } else if (/[0-9+-]/.test(c) || (c === "." && /[0-9]/.test(src[p + 1] ?? ""))) {
      const m = /^[+-]?(0[xX][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]+([eE][+-]?[0-9]+)?)/.exec(src.slice(p));
      if (!m) throw err(lineAt(from), `bad number syntax: ${JSON.stringify(c)}`);
      p += m[0].length;
      push("number", m[0].replaceAll("_", ""), from);
    } else if (c === ".") {
      p++;
      push("dot", ".", from);
    } else if (IDENT.test(c)) {
      while (IDENT.test(src[p] ?? "")) p++;
      push("ident", src.slice(from, p), from);
    } else if (src.startsWith(":=", p)) {
      p += 2;
      push("declare", ":=", from);
    } else {
      const single: Record<string, Token["type"]> = {
        "(": "lparen",
        ")": "rparen",
        "|": "pipe",
        "=": "assign",
        ",": "comma",
      };
      const type = single[c];
      if (!type) throw err(lineAt(from), `unexpected ${JSON.stringify(c)} in command`);
      p++;
      push(type, c, from);
    }
  }
}

const ESC: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

/** Decodes Go's string escapes (`\n`, `\x41`, `\101`, `\u00e9`, `\U0001F600`). */
function unquote(body: string, line: number): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
    if (e.length === 1) {
      const v = ESC[e];
      if (v === undefined) throw err(line, `invalid syntax in string escape \\${e}`);
      return v;
    }
    const base = /^[0-7]/.test(e) ? 8 : 16;
    return String.fromCodePoint(Number.parseInt(base === 8 ? e : e.slice(1), base));
  });
}

/** A parse error in Go's `template: :LINE: msg` form. */
export function err(line: number, msg: string): TemplateParseError {
  return new TemplateParseError(`template: :${line}: ${msg}`);
}
