/**
 * Readers for one call at the start of streamed text, one per call shape: a JSON object (every family),
 * Mistral's `name[ARGS]{…}`, Llama's builtin `name.call(k="v")`. A reader says `wait` only while more
 * text could still complete a call, so what is decided never depends on where the stream was cut.
 */
import { type RawCall, rawCallOf } from "./call.ts";
import { jsonEnd, parenEnd } from "./json-scan.ts";
import type { ToolFamily } from "./syntax.ts";

/** What a reader found at the start of the text. */
export type ReadResult = { kind: "wait" } | { kind: "bad" } | { kind: "call"; end: number; raw: RawCall };

/** Reads one call at the start of `text`; `final` means no more text will come. */
export type CallReader = (text: string, final: boolean) => ReadResult;

const WAIT: ReadResult = { kind: "wait" };
const BAD: ReadResult = { kind: "bad" };

/** `{"name": …, "arguments": …}` (or `parameters`, or nested under `function`). */
export const jsonCall: CallReader = (text, final) => {
  if (text[0] !== "{") return BAD;
  const end = jsonEnd(text, 0);
  if (end < 0) return final ? BAD : WAIT;
  let v: unknown;
  try {
    v = JSON.parse(text.slice(0, end));
  } catch {
    return BAD;
  }
  const raw = rawCallOf(v);
  return raw ? { kind: "call", end, raw } : BAD;
};

const NAME = /^[A-Za-z0-9_.-]+/;
const ARGS = "[ARGS]";
const CALL_ID = "[CALL_ID]";

/** Mistral's `name[ARGS]{…}`, optionally `name[CALL_ID]id[ARGS]{…}`. */
export const namedArgsCall: CallReader = (text, final) => {
  const name = NAME.exec(text)?.[0];
  if (!name) return BAD;
  let at = name.length;
  const more = (marker: string) => !final && marker.startsWith(text.slice(at));
  if (at === text.length) return final ? BAD : WAIT;
  if (text.startsWith(CALL_ID, at)) {
    const args = text.indexOf(ARGS, at + CALL_ID.length);
    if (args < 0) return final ? BAD : WAIT;
    at = args;
  } else if (more(CALL_ID)) return WAIT;
  if (!text.startsWith(ARGS, at)) return more(ARGS) ? WAIT : BAD;
  const start = at + ARGS.length;
  if (start === text.length) return final ? BAD : WAIT;
  if (text[start] !== "{") return BAD;
  const end = jsonEnd(text, start);
  if (end < 0) return final ? BAD : WAIT;
  try {
    return { kind: "call", end, raw: { name, arguments: JSON.parse(text.slice(start, end)) } };
  } catch {
    return BAD;
  }
};

const PY_CALL = /^([A-Za-z_]\w*)\.call\(/;

/** Llama 3.1's builtin-tool call after `<|python_tag|>`: `brave_search.call(query="…")`. */
export const pythonCall: CallReader = (text, final) => {
  const m = PY_CALL.exec(text);
  if (!m) {
    // Still a possible prefix of `name.call(`?
    const partial = /^[A-Za-z_]\w*(\.(c(a(l(l)?)?)?)?)?$/.test(text);
    return partial && !final ? WAIT : BAD;
  }
  const open = m[0].length - 1;
  const end = parenEnd(text, open);
  if (end < 0) return final ? BAD : WAIT;
  const args = pythonArgs(text.slice(open + 1, end - 1));
  return args ? { kind: "call", end, raw: { name: m[1], arguments: args } } : BAD;
};

/** `k="v", n=3, flag=True` → an object; undefined when it is not that shape. */
function pythonArgs(src: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const re = /\s*([A-Za-z_]\w*)\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^,]+?)\s*(,|$)/gy;
  let at = 0;
  while (at < src.length) {
    re.lastIndex = at;
    const m = re.exec(src);
    if (!m || m[0].length === 0) return src.slice(at).trim() === "" ? out : undefined;
    out[m[1] as string] = pythonValue(m[2] as string);
    at = re.lastIndex;
  }
  return out;
}

function pythonValue(v: string): unknown {
  if (v.startsWith('"')) {
    try {
      return JSON.parse(v);
    } catch {
      return v.slice(1, -1);
    }
  }
  if (v.startsWith("'")) return v.slice(1, -1).replace(/\\(.)/g, "$1");
  if (v === "True" || v === "False") return v === "True";
  if (v === "None") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : v;
}

/** The reader for a family: JSON objects always; the family's own shape for anything else. */
export function readerFor(family: ToolFamily): CallReader {
  const other =
    family === "mistral" || family === "mistral-args"
      ? namedArgsCall
      : family === "llama3"
        ? pythonCall
        : undefined;
  if (!other) return jsonCall;
  return (text, final) => (text[0] === "{" ? jsonCall(text, final) : other(text, final));
}
