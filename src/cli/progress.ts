/**
 * Progress lines on stderr: on a terminal, spinners and bars redrawn every 100 ms (as Ollama's progress
 * package); otherwise each new status printed once as a plain line.
 */
import { humanBytes } from "./duration.ts";
import type { Writer } from "./io.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** One progress line. */
interface State {
  render(width: number, tick: number): string;
}

/** A status with a spinner until stopped. */
export class Spinner implements State {
  private stopped = false;
  constructor(public message: string) {}
  /** Freezes the line (keeps the message, drops the spinner). */
  stop(): void {
    this.stopped = true;
  }
  /** The line as drawn. */
  render(_w: number, tick: number): string {
    const msg = this.message.trim();
    return `${msg ? `${msg} ` : ""}${this.stopped ? "" : `${FRAMES[tick % FRAMES.length]} `}`;
  }
}

/** A byte-count bar: "message  42% ▕████    ▏ 1.2 GB/2.9 GB". */
export class Bar implements State {
  constructor(
    public message: string,
    public total: number,
    public completed: number,
  ) {}
  /** The line as drawn. */
  render(width: number): string {
    const pct = this.total > 0 ? Math.min(100, (this.completed / this.total) * 100) : 0;
    const pre = `${this.message.trim()} ${Math.round(pct).toString().padStart(3)}%`;
    const suf =
      this.completed >= this.total
        ? `${humanBytes(this.total).padStart(6)}${" ".repeat(7)}`
        : `${humanBytes(this.completed).padStart(6)}/${humanBytes(this.total).padStart(6)}`;
    const room = Math.max(0, width - pre.length - suf.length - 5);
    const n = Math.floor((room * pct) / 100);
    return `${pre} ▕${"█".repeat(n)}${" ".repeat(room - n)}▏ ${suf}`;
  }
}

/** A set of progress lines bound to one stream. */
export class Progress {
  private states: State[] = [];
  private drawn = 0;
  private tick = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly w: Writer) {
    if (w.isTTY) this.timer = setInterval(() => this.render(), 100);
  }

  /** Adds a spinner line; on a non-terminal its message is printed once. */
  spinner(message: string): Spinner {
    const s = new Spinner(message);
    this.add(s, message);
    return s;
  }

  /** Adds a bar line; on a non-terminal its message is printed once. */
  bar(message: string, total: number, completed: number): Bar {
    const b = new Bar(message, total, completed);
    this.add(b, message);
    return b;
  }

  /** Changes a spinner's message; on a non-terminal the new message is printed as a line. */
  message(s: Spinner, text: string): void {
    s.message = text;
    if (!this.w.isTTY && text.trim()) this.w.write(`${text.trim()}\n`);
  }

  private add(state: State, message: string): void {
    for (const s of this.states) if (s instanceof Spinner) s.stop();
    this.states.push(state);
    if (!this.w.isTTY && message.trim()) this.w.write(`${message.trim()}\n`);
  }

  private render(): void {
    if (!this.w.isTTY || this.states.length === 0) return;
    this.tick++;
    let out = "\x1b[?25l";
    for (let i = 1; i < this.drawn; i++) out += "\x1b[A";
    out += "\x1b[1G";
    out += this.states.map((s) => `${s.render(this.w.columns, this.tick)}\x1b[K`).join("\n");
    this.w.write(`${out}\x1b[?25h`);
    this.drawn = this.states.length;
  }

  private halt(): boolean {
    if (this.timer === undefined && !this.w.isTTY) return false;
    clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.states) if (s instanceof Spinner) s.stop();
    return true;
  }

  /** Stops and leaves the final lines on screen. */
  stop(): void {
    if (!this.halt() || this.states.length === 0) return;
    this.render();
    this.w.write("\n");
    this.states = [];
    this.drawn = 0;
  }

  /** Stops and erases the lines (used before streaming a model's answer). */
  stopAndClear(): void {
    if (!this.halt()) return;
    let out = "";
    for (let i = 0; i < this.drawn; i++) out += `${i > 0 ? "\x1b[A" : ""}\x1b[2K\x1b[1G`;
    if (out) this.w.write(out);
    this.states = [];
    this.drawn = 0;
  }
}
