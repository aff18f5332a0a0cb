/**
 * Finds JSON tool calls in generated text, incrementally. Content before the tool-call tag streams
 * through; from the tag on, text is held back until complete JSON objects naming a known tool (with
 * `arguments` or `parameters`) have been read. If nothing parses by the end, the held text is content.
 */
import type { ToolCall } from "../templates/index.ts";
import type { OutputParser, ParsedOutput } from "./output/parser.ts";

type ParsedPiece = ParsedOutput;

const ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `call_` + 8 random lower-case alphanumerics, as Ollama names tool calls. */
export function toolCallId(): string {
  let s = "call_";
  for (let i = 0; i < 8; i++) s += ID_CHARS[Math.floor(Math.random() * ID_CHARS.length)];
  return s;
}

/** Splits complete top-level JSON objects/arrays out of `text`; `rest` starts at the first incomplete one. */
export function completeJson(text: string): { values: unknown[]; rest: string } {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  let consumed = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"' && depth > 0) inString = true;
    else if (c === "{" || c === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if ((c === "}" || c === "]") && depth > 0 && --depth === 0) {
      try {
        values.push(JSON.parse(text.slice(start, i + 1)));
      } catch {
        // not JSON after all: skip it
      }
      consumed = i + 1;
    }
  }
  return { values, rest: depth > 0 ? text.slice(start) : text.slice(consumed) };
}

/** Tool calls in one parsed JSON value (an object or an array of them). */
function callsIn(v: unknown, known: ReadonlySet<string>): ToolCall[] {
  if (Array.isArray(v)) return v.flatMap((x) => callsIn(x, known));
  if (typeof v !== "object" || v === null) return [];
  const o = v as Record<string, unknown>;
  const fn = (typeof o.function === "object" && o.function !== null ? o.function : o) as Record<
    string,
    unknown
  >;
  const name = fn.name;
  let args = fn.arguments ?? fn.parameters;
  if (typeof name !== "string" || (known.size > 0 && !known.has(name))) return [];
  if (typeof args === "string") {
    try {
      args = JSON.parse(args);
    } catch {
      return [];
    }
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) return [];
  return [{ id: toolCallId(), function: { index: 0, name, arguments: args as Record<string, unknown> } }];
}

/** Incremental parser for one response. */
export class ToolCallParser implements OutputParser {
  private mode: "undecided" | "scan" | "buffer" | "off";
  private held = "";
  private found = 0;
  private readonly known: ReadonlySet<string>;

  constructor(
    private readonly tag: string,
    toolNames: readonly string[],
  ) {
    this.known = new Set(toolNames);
    this.mode = tag === "{" || tag === "[" ? "undecided" : "scan";
  }

  /** Feeds generated text; returns what may be shown now. */
  add(text: string): ParsedPiece {
    this.held += text;
    if (this.mode === "off") return this.release();
    if (this.mode === "undecided") {
      const first = this.held.trimStart()[0];
      if (first === undefined) return { content: "", thinking: "", calls: [] };
      this.mode = first === "{" || first === "[" ? "buffer" : "off";
      if (this.mode === "off") return this.release();
    }
    if (this.mode === "scan") {
      const at = this.held.indexOf(this.tag);
      if (at < 0) {
        // Keep back a possible partial tag at the end.
        let keep = 0;
        for (let n = Math.min(this.tag.length - 1, this.held.length); n > 0; n--) {
          if (this.tag.startsWith(this.held.slice(-n))) {
            keep = n;
            break;
          }
        }
        const content = this.held.slice(0, this.held.length - keep);
        this.held = this.held.slice(this.held.length - keep);
        return { content, thinking: "", calls: [] };
      }
      const content = this.held.slice(0, at);
      this.held = this.held.slice(at + this.tag.length);
      this.mode = "buffer";
      return { content, thinking: "", calls: this.parse() };
    }
    return { content: "", thinking: "", calls: this.parse() };
  }

  /** End of generation: held text that never became a tool call is content. */
  finish(): ParsedPiece {
    const calls = this.mode === "buffer" ? this.parse() : [];
    if (this.found > 0) return { content: "", thinking: "", calls };
    const prefix = this.mode === "buffer" && this.tag !== "{" && this.tag !== "[" ? this.tag : "";
    const content = this.held ? prefix + this.held : "";
    this.held = "";
    return { content, thinking: "", calls };
  }

  private parse(): ToolCall[] {
    const { values, rest } = completeJson(this.held);
    const calls = values.flatMap((v) => callsIn(v, this.known));
    if (calls.length === 0) return [];
    this.held = rest;
    for (const c of calls) c.function.index = this.found++;
    return calls;
  }

  private release(): ParsedPiece {
    const content = this.held;
    this.held = "";
    return { content, thinking: "", calls: [] };
  }
}
