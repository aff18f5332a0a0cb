/** One blob's "pushing <digest12>" progress lines, as Ollama sends them (at most one per tick). */
import { shortDigest } from "../transfer-util.ts";
import type { Progress } from "../types.ts";

/** Shortest gap between two lines for one blob (Ollama's upload ticker runs every 60 ms). */
export const TICK_MS = 60;

/** Reports a blob's completed bytes; lines in between ticks are dropped, the first and last never are. */
export class BlobProgress {
  #lastAt = Number.NEGATIVE_INFINITY;
  #lastCompleted = -1;

  constructor(
    private readonly digest: string,
    private readonly total: number,
    private readonly emit: (p: Progress) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Bytes done so far (may go down when a part is re-sent). */
  set(completed: number): void {
    const t = this.now();
    if (t - this.#lastAt < TICK_MS) return;
    this.#line(completed, t);
  }

  /** The blob is in the registry: a final line with completed = total. */
  done(): void {
    if (this.#lastCompleted !== this.total) this.#line(this.total, this.now());
  }

  #line(completed: number, at: number): void {
    this.#lastAt = at;
    this.#lastCompleted = completed;
    this.emit({
      status: `pushing ${shortDigest(this.digest)}`,
      digest: this.digest,
      total: this.total,
      completed,
    });
  }
}
