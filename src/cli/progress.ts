/**
 * Progress lines on stderr: on a terminal, spinners and bars redrawn every 100 ms (as Ollama's progress
 * package); otherwise each new status printed once as a plain line.
 */
import { goDuration, humanBytes } from "./duration.ts";
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

/** Longest run of a bar's rate window (Ollama keeps ten one-second samples). */
const MAX_BUCKETS = 10;

/** A duration for the ETA column: at most two units, as Ollama's progress bar writes it. */
export function etaText(seconds: number): string {
  if (seconds >= 100 * 3600) return "99h+";
  if (seconds >= 3600) return `${Math.trunc(seconds / 3600)}h${Math.trunc(seconds / 60) % 60}m`;
  return goDuration(Math.round(seconds) * 1e9);
}

/**
 * A byte-count bar: "message  42% ▕████    ▏ 1.2 GB/2.9 GB  52 MB/s  1m10s" while running (rate and ETA
 * from up to ten samples taken at most once a second, as Ollama's progress/bar.go), "… ▏ 2.9 GB" once full.
 */
export class Bar implements State {
  #completed: number;
  readonly #initial: number;
  readonly #started: number;
  #stopped: number | undefined;
  readonly #buckets: { at: number; value: number }[] = [];

  constructor(
    public message: string,
    public total: number,
    completed: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#completed = completed;
    this.#initial = completed;
    this.#started = now();
    if (completed >= total) this.#stopped = this.#started;
  }

  /** Bytes done so far. */
  get completed(): number {
    return this.#completed;
  }

  /** Sets the bytes done (capped at the total) and samples the rate. */
  set completed(value: number) {
    this.set(value);
  }

  /** Sets the bytes done (capped at the total) and samples the rate. */
  set(value: number): void {
    const v = Math.min(value, this.total);
    this.#completed = v;
    const at = this.now();
    if (v >= this.total && this.#stopped === undefined) this.#stopped = at;
    const last = this.#buckets.at(-1);
    if (!last || at - last.at > 1000) {
      this.#buckets.push({ at, value: v });
      if (this.#buckets.length > MAX_BUCKETS) this.#buckets.shift();
    }
  }

  /** Bytes per second: over the whole transfer once stopped, else over the sample window. */
  rate(): number {
    const secs = (ms: number) => Math.round(ms / 1000);
    let bytes = 0;
    let seconds = 0;
    const first = this.#buckets[0];
    const last = this.#buckets.at(-1);
    if (this.#stopped !== undefined) {
      bytes = this.#completed - this.#initial;
      seconds = secs(this.#stopped - this.#started);
    } else if (first && last && first !== last) {
      bytes = last.value - first.value;
      seconds = secs(last.at - first.at);
    } else if (first) {
      bytes = first.value - this.#initial;
      seconds = secs(first.at - this.#started);
    }
    return seconds !== 0 ? bytes / seconds : 0;
  }

  /** The line as drawn. */
  render(width: number): string {
    const pct = this.total > 0 ? Math.min(100, (this.#completed / this.total) * 100) : 0;
    const msg = this.message.trim();
    const pre = `${msg ? `${msg} ` : ""}${Math.round(pct).toString().padStart(3)}%`;
    const running = this.#stopped === undefined;
    let suf = running
      ? `${humanBytes(this.#completed).padStart(6)}/${humanBytes(this.total).padStart(6)}`
      : `${humanBytes(this.total).padStart(6)}${" ".repeat(7)}`;
    const rate = this.rate();
    if (running && rate > 0) {
      const eta = Math.trunc((this.total - this.#completed) / rate);
      suf += `  ${humanBytes(Math.trunc(rate)).padStart(6)}/s  ${etaText(eta).padStart(6)}`;
    } else {
      suf += " ".repeat(18);
    }
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
