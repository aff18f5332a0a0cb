/**
 * Streams a model's answer to the terminal as Ollama's CLI does (cmd.go chat/generate): word wrap at the
 * terminal width, reasoning in a "Thinking..." … "...done thinking." block (grey on a terminal, plain when
 * piped), and tool calls the CLI cannot run reported in one line each.
 */
import type { Writer } from "./io.ts";
import { displayWidth } from "./table.ts";
import type { ToolCall } from "./wire.ts";

const GREY = "\x1b[38;5;245m";
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";

/** One streamed piece: a chat chunk's message, or a generate chunk's fields. */
export interface Piece {
  thinking?: string;
  content?: string;
  toolCalls?: ToolCall[];
}

/** Ollama's line for tool calls the CLI has no tools for. */
export function toolCallsText(calls: ToolCall[], plain: boolean): string {
  const [expl, val] = plain ? ["", ""] : [GREY + BOLD, RESET];
  const lines = calls.map(
    (c) =>
      `  Model called a non-existent function '${val}${c.function.name}${expl}()' with arguments: ` +
      `${val}${JSON.stringify(c.function.arguments ?? {})}${expl}`,
  );
  return plain ? lines.join("\n") : `${expl}${lines.join("\n")}${RESET}`;
}

/** Writes response pieces as they arrive. */
export class ResponseDisplay {
  private lineLength = 0;
  private word = "";
  private inThinking = false;
  private thinkingEndsWithNewline = false;

  constructor(
    private readonly out: Writer,
    private readonly wordWrap: boolean,
    private readonly hideThinking = false,
  ) {}

  /** Renders one streamed piece: reasoning, then (closing the Thinking block) the answer and tool calls. */
  push(p: Piece): void {
    this.thinking(p.thinking ?? "");
    if (p.toolCalls?.length) this.closeThinking();
    this.content(p.content ?? "");
    if (p.toolCalls?.length) this.out.write(toolCallsText(p.toolCalls, !this.out.isTTY));
  }

  /** A piece of reasoning: opens the Thinking block on first use. */
  thinking(text: string): void {
    if (!text || this.hideThinking) return;
    if (!this.inThinking) {
      this.out.write(this.out.isTTY ? `${GREY}${BOLD}Thinking...\n${RESET}${GREY}` : "Thinking...\n");
      this.inThinking = true;
    }
    this.thinkingEndsWithNewline = text.endsWith("\n");
    this.text(text);
  }

  /** A piece of the answer: closes an open Thinking block first. */
  content(text: string): void {
    if (!text) return;
    this.closeThinking();
    this.text(text);
  }

  private closeThinking(): void {
    if (!this.inThinking) return;
    if (!this.thinkingEndsWithNewline) this.out.write("\n");
    this.out.write(this.out.isTTY ? `${GREY}${BOLD}...done thinking.\n\n${RESET}` : "...done thinking.\n\n");
    this.inThinking = false;
    this.lineLength = 0;
    this.word = "";
  }

  private text(text: string): void {
    const width = this.out.columns;
    if (!this.wordWrap || width < 10) return this.out.write(text);
    let out = "";
    for (const ch of text) {
      const w = displayWidth(ch);
      if (ch === "\n" || ch === "\r") {
        out += ch;
        this.lineLength = 0;
        this.word = "";
      } else if (this.lineLength + w > width - 5) {
        if (ch === " " || ch === "\t") {
          out += "\n";
          this.lineLength = 0;
          this.word = "";
        } else if (this.word && displayWidth(this.word) < width - 10) {
          // Move the partial word to the next line: back up over it, clear, newline, reprint.
          out += `\x1b[${displayWidth(this.word)}D\x1b[K\n${this.word}${ch}`;
          this.word += ch;
          this.lineLength = displayWidth(this.word);
        } else {
          out += `\n${ch}`;
          this.lineLength = w;
          this.word = w >= 2 ? "" : ch;
        }
      } else {
        out += ch;
        this.lineLength += w;
        this.word = ch === " " || ch === "\t" || w >= 2 ? "" : this.word + ch;
      }
    }
    this.out.write(out);
  }
}
