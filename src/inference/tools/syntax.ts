/**
 * Which tool-call syntax a model writes, read from its template (never from its name): the template shows
 * the model's own past calls, so the way it renders `tool_calls` is the way the model writes them.
 */
import type { PromptTemplate } from "../template.ts";
import { goToolCallTag } from "./go-tag.ts";

/**
 * The tool-call families:
 * - `hermes`: `<tool_call>{"name": …, "arguments": …}</tool_call>`, one block per call (Qwen, Hermes).
 * - `llama3`: a reply that is `{"name": …, "parameters": …}`, or `<|python_tag|>` + a call (Llama 3.x).
 * - `mistral`: `[TOOL_CALLS][{"name": …, "arguments": …}, …]`.
 * - `mistral-args`: `[TOOL_CALLS]name[ARGS]{…}` per call (Mistral Small 3.2, Devstral, Ministral 3).
 * - `tagged`: a Go template's own tag (e.g. ```` ```json ````) followed by JSON calls.
 * - `json`: a reply that is a JSON call or an array of them (the fallback).
 */
export type ToolFamily = "hermes" | "llama3" | "mistral" | "mistral-args" | "tagged" | "json";

/** How a family's calls look: what the parser scans for and the grammar writes. */
export interface ToolSyntax {
  family: ToolFamily;
  /** Texts that open a tool-call section wherever they appear in the reply. */
  tags: string[];
  /** Whether a reply that starts (after blanks) with `{` or `[` is a tool-call section. */
  leadingJson: boolean;
  /** Text that closes a section (`</tool_call>`). */
  close?: string;
  /** The key the grammar writes the arguments under (the parser reads either). */
  argsKey: "arguments" | "parameters";
}

const HERMES: ToolSyntax = {
  family: "hermes",
  tags: ["<tool_call>"],
  leadingJson: false,
  close: "</tool_call>",
  argsKey: "arguments",
};
const LLAMA3: ToolSyntax = {
  family: "llama3",
  tags: ["<|python_tag|>"],
  leadingJson: true,
  argsKey: "parameters",
};
const MISTRAL: ToolSyntax = {
  family: "mistral",
  tags: ["[TOOL_CALLS]"],
  leadingJson: false,
  argsKey: "arguments",
};
const MISTRAL_ARGS: ToolSyntax = { ...MISTRAL, family: "mistral-args" };
const json = (argsKey: ToolSyntax["argsKey"]): ToolSyntax => ({
  family: "json",
  tags: [],
  leadingJson: true,
  argsKey,
});

/** `<tool_call>` formats that wrap something other than a JSON call (XML parameters, key/value tags). */
const NOT_HERMES = ["<function=", "<arg_key>", "<invoke name=", "<parameter="];

/** The tool-call syntax of replies rendered through `t`. */
export function detectToolSyntax(t: PromptTemplate): ToolSyntax {
  return t.kind === "go" ? fromGo(t.go.source, goToolCallTag(t.go.nodes)) : fromJinja(t.jinja.source);
}

/** The key a template writes arguments under, next to the function name. */
function argsKeyIn(src: string): ToolSyntax["argsKey"] {
  return /"parameters"\s*:/.test(src) && !/"arguments"\s*:/.test(src) ? "parameters" : "arguments";
}

function fromJinja(src: string): ToolSyntax {
  if (src.includes("[TOOL_CALLS]")) return src.includes("[ARGS]") ? MISTRAL_ARGS : MISTRAL;
  if (src.includes("<tool_call>") && !NOT_HERMES.some((m) => src.includes(m))) return HERMES;
  const key = argsKeyIn(src);
  if (src.includes("<|python_tag|>") || (key === "parameters" && src.includes("<|start_header_id|>")))
    return LLAMA3;
  return json(key);
}

function fromGo(src: string, tag: string): ToolSyntax {
  if (tag.includes("<tool_call>")) return HERMES;
  if (tag.startsWith("[TOOL_CALLS]")) return src.includes("[ARGS]") ? MISTRAL_ARGS : MISTRAL;
  const key = argsKeyIn(src);
  if (tag === "{" || tag === "[") {
    return src.includes("<|python_tag|>") || (key === "parameters" && src.includes("<|start_header_id|>"))
      ? LLAMA3
      : json(key);
  }
  return { family: "tagged", tags: [tag], leadingJson: false, argsKey: key };
}
