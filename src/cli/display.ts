/** Streams a model's answer to the terminal: word wrap at the terminal width and a "Thinking..." block. */
import type { Writer } from "./io.ts";
import { displayWidth } from "./table.ts";

const GREY = "\x1b[38;5;245m";
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";

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
    if (this.inThinking) {
      if (!this.thinkingEndsWithNewline) this.out.write("\n");
      this.out.write(
        this.out.isTTY ? `${GREY}${BOLD}...done thinking.\n\n${RESET}` : "...done thinking.\n\n",
      );
      this.inThinking = false;
      this.lineLength = 0;
      this.word = "";
    }
    this.text(text);
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
