/**
 * Output parsing: generated text → visible content, thinking, and tool calls. A parser is fed the text
 * pieces as the runner streams them and releases what is certain; `finish` releases the rest. Parsers
 * compose (`chain`): thinking is split off first, tool calls are parsed out of what remains.
 */
import type { ToolCall } from "../../templates/index.ts";

/** What one step of parsing releases. */
export interface ParsedOutput {
  content: string;
  thinking: string;
  calls: ToolCall[];
}

/** An incremental parser for one response. */
export interface OutputParser {
  /** Feeds generated text; returns what may be shown now. */
  add(text: string): ParsedOutput;
  /**
   * End of generation: everything still held back. `truncated` when the reply was cut off (num_predict or
   * context), not ended by the model: an unfinished construct is then known to be cut, not malformed.
   */
  finish(truncated?: boolean): ParsedOutput;
}

/** Nothing released. */
export const EMPTY: Readonly<ParsedOutput> = Object.freeze({ content: "", thinking: "", calls: [] });

/** Sums two releases (content and thinking concatenated, calls in order). */
export function merge(a: ParsedOutput, b: ParsedOutput): ParsedOutput {
  return {
    content: a.content + b.content,
    thinking: a.thinking + b.thinking,
    calls: [...a.calls, ...b.calls],
  };
}

/** `first`'s content is fed into `second`; thinking and calls from both are kept. */
export function chain(first: OutputParser, second: OutputParser): OutputParser {
  const pass = (r: ParsedOutput, s: ParsedOutput): ParsedOutput => ({
    content: s.content,
    thinking: r.thinking + s.thinking,
    calls: [...r.calls, ...s.calls],
  });
  return {
    add: (text) => {
      const r = first.add(text);
      return pass(r, r.content ? second.add(r.content) : { ...EMPTY, calls: [] });
    },
    finish: (truncated) => {
      const r = first.finish(truncated);
      const s = r.content ? second.add(r.content) : { ...EMPTY, calls: [] };
      return merge(pass(r, s), second.finish(truncated));
    },
  };
}

/** Composes the parsers that are present (none → undefined). */
export function compose(...parsers: (OutputParser | undefined)[]): OutputParser | undefined {
  const present = parsers.filter((p): p is OutputParser => p !== undefined);
  return present.reduce<OutputParser | undefined>((acc, p) => (acc ? chain(acc, p) : p), undefined);
}
