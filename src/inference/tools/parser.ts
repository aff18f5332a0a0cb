/**
 * The incremental tool-call parser for one reply, driven by the family's syntax. Content streams through
 * until a tag (or, for bare-JSON families, a reply that starts with `{`/`[`) opens a section; in a section
 * each call is emitted as soon as its text is complete. Text that does not make a valid call — broken
 * JSON, an unknown tool, arguments that are not an object, a section cut off by the end — is released as
 * content exactly as generated: nothing is dropped. Only blanks between and after calls are discarded.
 */
import type { ToolCall } from "../../templates/index.ts";
import type { OutputParser, ParsedOutput } from "../output/parser.ts";
import { checkCall } from "./call.ts";
import { type CallReader, readerFor } from "./readers.ts";
import type { ToolSyntax } from "./syntax.ts";

type State = "start" | "text" | "section";

/** Parses tool calls of one family out of a streamed reply. */
export class ToolCallParser implements OutputParser {
  readonly #syntax: ToolSyntax;
  readonly #known: ReadonlySet<string>;
  readonly #read: CallReader;
  #state: State;
  /** Text not yet looked at. */
  #buf = "";
  /** The open section's text not yet accounted for (its tag, blanks, separators): content if it fails. */
  #raw = "";
  /** Blanks after a call, released only if more content follows. */
  #held = "";
  #afterCall = false;
  #sectionCalls = 0;
  #inArray = false;
  #found = 0;
  #out: ParsedOutput = { content: "", thinking: "", calls: [] };

  constructor(syntax: ToolSyntax, toolNames: readonly string[]) {
    this.#syntax = syntax;
    this.#known = new Set(toolNames);
    this.#read = readerFor(syntax.family);
    this.#state = syntax.leadingJson ? "start" : "text";
  }

  /** Feeds generated text; returns the content and the calls that are certain now. */
  add(text: string): ParsedOutput {
    this.#buf += text;
    return this.#run(false);
  }

  /**
   * End of the reply: whatever is still held is content (a malformed call included) — unless calls were
   * made and the reply was cut off in the middle of a further one: that cut call is dropped, as Ollama's
   * parser does, so no tool-call markup reaches the content of a reply that is calls.
   */
  finish(truncated = false): ParsedOutput {
    if (truncated && this.#found > 0 && this.#state === "section") {
      this.#buf = "";
      this.#raw = "";
      this.#held = "";
      return { content: "", thinking: "", calls: [] };
    }
    return this.#run(true);
  }

  #run(final: boolean): ParsedOutput {
    this.#out = { content: "", thinking: "", calls: [] };
    for (;;) {
      const again =
        this.#state === "start"
          ? this.#start(final)
          : this.#state === "text"
            ? this.#text(final)
            : this.#section(final);
      if (!again) break;
    }
    if (final) this.#held = "";
    return this.#out;
  }

  /** Bare-JSON families: the reply is a call section iff its first non-blank character is `{` or `[`. */
  #start(final: boolean): boolean {
    const i = this.#buf.search(/\S/);
    if (i < 0) {
      if (final) this.#emit(this.#take(this.#buf.length));
      return false;
    }
    const c = this.#buf[i];
    if (c === "{" || c === "[") this.#open(this.#take(i), false);
    else this.#state = "text";
    return true;
  }

  /** Content up to the first tag; a partial tag at the end is held back. */
  #text(final: boolean): boolean {
    let at = -1;
    let tag = "";
    for (const t of this.#syntax.tags) {
      const i = this.#buf.indexOf(t);
      if (i >= 0 && (at < 0 || i < at)) [at, tag] = [i, t];
    }
    if (at >= 0) {
      this.#emit(this.#take(at));
      this.#held = "";
      this.#open(this.#take(tag.length), tag.endsWith("["));
      return true;
    }
    this.#emit(this.#take(this.#buf.length - (final ? 0 : this.#partialTag())));
    return false;
  }

  /** Inside a section: blanks, separators, array brackets, the close tag, and calls. */
  #section(final: boolean): boolean {
    for (;;) {
      const blanks = /^\s*/.exec(this.#buf)?.[0].length ?? 0;
      this.#raw += this.#take(blanks);
      if (this.#buf === "") {
        // Cut off by the end: an empty or unfinished section is content.
        return final ? this.#end() : false;
      }
      const close = this.#syntax.close;
      if (close && this.#sectionCalls > 0 && !this.#inArray) {
        if (this.#buf.startsWith(close)) {
          this.#take(close.length);
          this.#raw = "";
          return this.#end();
        }
        if (!final && close.startsWith(this.#buf)) return false;
      }
      const c = this.#buf[0];
      if ((c === "," || c === ";") && this.#sectionCalls > 0) {
        this.#raw += this.#take(1);
        continue;
      }
      if (c === "[" && !this.#inArray && this.#sectionCalls === 0) {
        this.#inArray = true;
        this.#raw += this.#take(1);
        continue;
      }
      if (c === "]" && this.#inArray && this.#sectionCalls > 0) {
        this.#take(1);
        this.#raw = "";
        return this.#end();
      }
      const r = this.#read(this.#buf, final);
      if (r.kind === "wait") return false;
      const call = r.kind === "call" ? checkCall(r.raw, this.#known) : undefined;
      if (r.kind === "call" && call) {
        this.#take(r.end);
        this.#emitCall(call);
        continue;
      }
      // Not a call here. After a call (outside an array) that just ends the section; otherwise the section
      // was never one. Either way its unaccounted text is content and scanning resumes right after it.
      return this.#end();
    }
  }

  #open(raw: string, inArray: boolean): void {
    this.#state = "section";
    this.#raw = raw;
    this.#sectionCalls = 0;
    this.#inArray = inArray;
  }

  /** Leaves the section: its unaccounted text (the tag of a failed one, separators) is content. */
  #end(): boolean {
    this.#state = "text";
    this.#inArray = false;
    this.#emit(this.#raw);
    this.#raw = "";
    return true;
  }

  #emitCall(call: ToolCall): void {
    call.function.index = this.#found++;
    this.#out.calls.push(call);
    this.#sectionCalls++;
    this.#raw = "";
    this.#held = "";
    this.#afterCall = true;
  }

  /** Releases content; blanks right after a call wait to see whether real content follows. */
  #emit(s: string): void {
    if (!s) return;
    if (this.#afterCall) {
      if (s.trim() === "") {
        this.#held += s;
        return;
      }
      s = this.#held + s;
      this.#held = "";
      this.#afterCall = false;
    }
    this.#out.content += s;
  }

  #take(n: number): string {
    const s = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return s;
  }

  /** Length of the longest end of the buffer that could be the start of a tag. */
  #partialTag(): number {
    let keep = 0;
    for (const t of this.#syntax.tags) {
      for (let n = Math.min(t.length - 1, this.#buf.length); n > keep; n--) {
        if (t.startsWith(this.#buf.slice(-n))) {
          keep = n;
          break;
        }
      }
    }
    return keep;
  }
}
