/** One parsed tool call: its name checked against the request's tools, its arguments an object. */
import type { ToolCall } from "../../templates/index.ts";

const ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `call_` + 8 random lower-case alphanumerics, as Ollama names tool calls. */
export function toolCallId(): string {
  let s = "call_";
  for (let i = 0; i < 8; i++) s += ID_CHARS[Math.floor(Math.random() * ID_CHARS.length)];
  return s;
}

/** A name and arguments as read from the reply, before checking. */
export interface RawCall {
  name: unknown;
  /** An object, a JSON string of one, or undefined (no arguments). */
  arguments: unknown;
}

/** The name and arguments of a call object: `{name, arguments|parameters}`, optionally under `function`. */
export function rawCallOf(v: unknown): RawCall | undefined {
  if (!isObject(v)) return undefined;
  const fn = isObject(v.function) ? v.function : v;
  if (!("name" in fn)) return undefined;
  return { name: fn.name, arguments: fn.arguments ?? fn.parameters };
}

/**
 * A ToolCall (index 0, to be numbered by the caller) when `raw` names a known tool and its arguments are
 * an object (or a JSON string of one, or absent); otherwise undefined, and the text stays content.
 */
export function checkCall(raw: RawCall, known: ReadonlySet<string>): ToolCall | undefined {
  if (typeof raw.name !== "string" || !known.has(raw.name)) return undefined;
  let args = raw.arguments ?? {};
  if (typeof args === "string" && args.trim() === "") args = {};
  if (typeof args === "string") {
    try {
      args = JSON.parse(args);
    } catch {
      return undefined;
    }
  }
  if (!isObject(args)) return undefined;
  return { id: toolCallId(), function: { index: 0, name: raw.name, arguments: args } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
