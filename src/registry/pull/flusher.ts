/**
 * Progressive writeback of a partial download: each time another FLUSH_BYTES were written, the file's dirty
 * pages are flushed (fdatasync on the I/O pool, one at a time), so the store's sync before the commit finds
 * little left to write instead of the whole blob (a sync of gigabytes of dirty pages at the end cost about
 * 0.7 s per GB on the machine measured). Flushing on the hash worker's thread held the hash back by as long
 * as the disk took, and the hash then finished after the transfer. A failed flush is left to the final sync
 * to report.
 */
import type { FileHandle } from "node:fs/promises";

/** Bytes written between two flushes. */
export const FLUSH_BYTES = 64 << 20;

/** Flushes `fh` as bytes are written to it. */
export class Flusher {
  #written = 0;
  #flushedAt = 0;
  #inFlight: Promise<void> | undefined;

  constructor(
    private readonly fh: FileHandle,
    private readonly every = FLUSH_BYTES,
  ) {}

  /** `n` more bytes were written; starts a flush when enough gathered and none is under way. */
  note(n: number): void {
    this.#written += n;
    if (this.#inFlight || this.#written - this.#flushedAt < this.every) return;
    this.#flushedAt = this.#written;
    this.#inFlight = this.fh
      .datasync()
      .catch(() => {})
      .finally(() => {
        this.#inFlight = undefined;
      });
  }

  /**
   * Flushes everything written, after the flush under way: the last bytes go to disk while the hash catches
   * up, and the commit's fsync finds little left. Its failure is left to that fsync too.
   */
  finish(): Promise<void> {
    const last = (this.#inFlight ?? Promise.resolve()).then(() => this.fh.datasync()).catch(() => {});
    this.#inFlight = last;
    return last;
  }

  /** Waits for the flush under way (before the file is closed or committed). */
  async settle(): Promise<void> {
    await this.#inFlight;
  }
}
