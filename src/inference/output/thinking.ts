/**
 * Splits a thinking block (`<think>` … `</think>`, tags read from the template) off the start of generated
 * text, streaming: Ollama's thinking.Parser states, plus what it leaves out — the end of output releases what
 * was held back, a prompt that already opened the block may see the model repeat the opening tag once, and
 * with thinking turned off a block the model emits anyway is dropped rather than shown as content.
 */
import type { Think, ThinkingTags } from "../../templates/index.ts";
import { thinkEnabled } from "../../templates/index.ts";
import type { OutputParser, ParsedOutput } from "./parser.ts";

/** How one response's thinking is split. */
export interface ThinkingOptions {
  tags: ThinkingTags;
  /** The prompt ends with the opening tag: output starts inside the thinking block. */
  prefilled: boolean;
  /** Release thinking as `thinking` (think on) or drop it (think off). */
  keep: boolean;
}

type State =
  /** Before any visible output: does it start with the opening tag? */
  | "seek"
  /** Just inside the block: whitespace (and, when prefilled, one repeated opening tag) is eaten. */
  | "opened"
  /** Thinking text up to the closing tag. */
  | "thinking"
  /** Just past the closing tag: whitespace before the content is eaten. */
  | "closed"
  /** Everything else is content. */
  | "content";

interface Step {
  content?: string;
  thinking?: string;
  /** Another state can make progress on what is buffered. */
  more: boolean;
}

/** The thinking splitter for one response. */
export class ThinkingParser implements OutputParser {
  private state: State;
  private buf = "";
  private echo: boolean;

  constructor(private readonly o: ThinkingOptions) {
    this.state = o.prefilled ? "opened" : "seek";
    this.echo = o.prefilled;
  }

  /** Feeds generated text; returns what may be shown now. */
  add(text: string): ParsedOutput {
    this.buf += text;
    return this.run(false);
  }

  /** End of generation: everything still held back. */
  finish(): ParsedOutput {
    return this.run(true);
  }

  private run(end: boolean): ParsedOutput {
    let content = "";
    let thinking = "";
    for (;;) {
      const s = this.step(end);
      content += s.content ?? "";
      thinking += s.thinking ?? "";
      if (!s.more) break;
    }
    return { content, thinking: this.o.keep ? thinking : "", calls: [] };
  }

  private step(end: boolean): Step {
    const { open, close } = this.o.tags;
    switch (this.state) {
      case "seek": {
        const t = this.buf.trimStart();
        if (t.startsWith(open)) return this.enter("opened", t.slice(open.length));
        // A bare closing tag first: an empty block, or one the prompt opened for the model.
        if (t.startsWith(close)) return this.enter("closed", t.slice(close.length));
        if (!end && (t === "" || open.startsWith(t) || close.startsWith(t))) return { more: false };
        // No block: content as generated, its leading whitespace kept.
        const content = this.buf;
        this.enter("content", "");
        return { content, more: false };
      }
      case "opened": {
        const t = this.buf.trimStart();
        if (t === "") {
          this.buf = "";
          return { more: false };
        }
        if (this.echo) {
          if (t.startsWith(open)) {
            this.echo = false;
            return this.enter("opened", t.slice(open.length));
          }
          if (!end && open.startsWith(t)) {
            this.buf = t;
            return { more: false };
          }
        }
        this.echo = false;
        return this.enter("thinking", t);
      }
      case "thinking": {
        const i = this.buf.indexOf(close);
        if (i >= 0) {
          const thinking = this.buf.slice(0, i);
          return { ...this.enter("closed", this.buf.slice(i + close.length)), thinking };
        }
        // Hold back only what could still become the closing tag.
        const keep = end ? 0 : overlap(this.buf, close);
        const thinking = this.buf.slice(0, this.buf.length - keep);
        this.buf = this.buf.slice(this.buf.length - keep);
        return { thinking, more: false };
      }
      case "closed": {
        const t = this.buf.trimStart();
        this.buf = "";
        if (t === "") return { more: false };
        this.state = "content";
        return { content: t, more: false };
      }
      case "content": {
        const content = this.buf;
        this.buf = "";
        return { content, more: false };
      }
    }
  }

  private enter(state: State, rest: string): Step {
    this.state = state;
    this.buf = rest;
    return { more: true };
  }
}

/** Length of the longest suffix of `s` that is a proper prefix of `tag`. */
function overlap(s: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, s.length); n > 0; n--) if (s.endsWith(tag.slice(0, n))) return n;
  return 0;
}

/**
 * The thinking parser for a response, or undefined when the template has no thinking tags (the model
 * cannot think), `think` is unset there, or a grammar (`format`) constrains the output from its first token
 * (then it is all answer, even after a prompt that opened the block; Ollama's chat instead lets the model
 * think unconstrained and then reruns with the grammar). `prompt` is what the model continues: when it ends
 * with the opening tag (whitespace aside, as Ollama checks), output starts inside the block.
 */
export function thinkingParser(
  tags: ThinkingTags | undefined,
  think: Think,
  prompt: string,
  constrained = false,
): ThinkingParser | undefined {
  if (!tags || think === undefined || constrained) return undefined;
  return new ThinkingParser({
    tags,
    prefilled: prompt.trimEnd().endsWith(tags.open),
    keep: thinkEnabled(think),
  });
}
