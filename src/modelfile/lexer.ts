import { ModelfileError } from "./errors.ts";

/** One instruction as written: lower-cased name (`from` is stored as "model", as Ollama does) and its value. */
export interface Command {
  /** "model", "template", "system", "adapter", "license", "message", "renderer", "parser", "requires", "draft", or a parameter name. */
  name: string;
  /** The unquoted value; for MESSAGE `"<role>: <content>"`. */
  args: string;
  /** 1-based line the instruction starts on. */
  line: number;
}

type State = "nil" | "name" | "value" | "parameter" | "message" | "comment";

const COMMANDS = [
  "from",
  "license",
  "template",
  "system",
  "adapter",
  "draft",
  "renderer",
  "parser",
  "parameter",
  "message",
  "requires",
];
const INVALID_COMMAND =
  'command must be one of "from", "license", "template", "system", "adapter", "draft", "renderer", "parser", "parameter", "message", or "requires"';
const INVALID_ROLE = 'message role must be one of "system", "user", or "assistant"';

const isSpace = (c: string) => c === " " || c === "\t";
const isNewline = (c: string) => c === "\r" || c === "\n";
const isAlpha = (c: string) => /^[A-Za-z]$/.test(c);
const isPrint = (c: string) => /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c);

/** Strips `"""…"""` or `"…"`; `ok` is false while a quote is still open. */
export function unquote(s: string): [value: string, ok: boolean] {
  if (s.startsWith('"""')) return s.length >= 6 && s.endsWith('"""') ? [s.slice(3, -3), true] : ["", false];
  if (s.startsWith('"')) return s.length >= 2 && s.endsWith('"') ? [s.slice(1, -1), true] : ["", false];
  return [s, true];
}

function step(c: string, state: State): [State, string] {
  switch (state) {
    case "nil":
      if (c === "#") return ["comment", ""];
      if (isSpace(c) || isNewline(c)) return ["nil", ""];
      return ["name", c];
    case "name":
      if (isAlpha(c)) return ["name", c];
      if (isSpace(c)) return ["value", ""];
      throw INVALID_COMMAND;
    case "value":
      return [isNewline(c) || isSpace(c) ? "nil" : "value", c];
    case "parameter":
      if (isAlpha(c) || /^[0-9_]$/.test(c)) return ["parameter", c];
      if (isSpace(c)) return ["value", ""];
      throw EOF;
    case "message":
      if (isAlpha(c)) return ["message", c];
      if (isSpace(c)) return ["value", ""];
      throw EOF;
    case "comment":
      return [isNewline(c) ? "nil" : "comment", ""];
  }
}

const EOF = Symbol("eof");

/** Tokenises a Modelfile into commands with Ollama's rune state machine (comments, quoting, case-insensitive names). */
export function lexModelfile(text: string): Command[] {
  const out: Command[] = [];
  let state: State = "nil";
  let line = 1;
  let buf = "";
  let role = "";
  let cmd: Command = { name: "", args: "", line: 1 };
  for (const r of text.replace(/^\uFEFF/, "")) {
    if (isNewline(r)) line++;
    let next: State;
    let rr: string;
    try {
      [next, rr] = step(r, state);
    } catch (e) {
      if (e === EOF) throw new ModelfileError(`unexpected EOF: ${buf}`);
      throw new ModelfileError(String(e), line);
    }
    if (next !== state) {
      if (state === "nil" && next === "name") cmd = { name: "", args: "", line };
      switch (state) {
        case "name": {
          const s = buf.toLowerCase();
          if (!COMMANDS.includes(s)) throw new ModelfileError(INVALID_COMMAND, line);
          if (s === "from") cmd.name = "model";
          else if (s === "parameter") next = "parameter";
          else if (s === "message") {
            next = "message";
            cmd.name = s;
          } else cmd.name = s;
          break;
        }
        case "parameter":
          cmd.name = buf;
          break;
        case "message":
          if (!["system", "user", "assistant"].includes(buf)) throw new ModelfileError(INVALID_ROLE, line);
          role = buf;
          break;
        case "value": {
          const [s, ok] = unquote(buf.trim());
          if (!ok || isSpace(r)) {
            buf += r;
            continue;
          }
          out.push({ ...cmd, args: role ? `${role}: ${s}` : s });
          role = "";
          break;
        }
      }
      buf = "";
      state = next;
    }
    if (rr !== "" && isPrint(rr)) buf += rr;
  }
  if (state === "value") {
    const [s, ok] = unquote(buf.trim());
    if (!ok) throw new ModelfileError("unexpected EOF");
    out.push({ ...cmd, args: role ? `${role}: ${s}` : s });
  } else if (state !== "nil" && state !== "comment") {
    throw new ModelfileError("unexpected EOF");
  }
  return out;
}
