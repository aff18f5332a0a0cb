/**
 * Reading a ByteSource chunk by chunk with a stall timeout and an abort signal. A network body can pause
 * forever (a stalled client) and Bun neither times such a read out nor ends it on `server.stop(true)`, so
 * both are enforced here: the pending read is abandoned and the stream cancelled.
 */
import { UploadStalledError } from "./errors.ts";

/** Bytes arriving over time: a web stream or any async iterable of chunks. */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Limits on how a source is read. */
export interface ReadGuard {
  /** Longest pause between chunks (ms); 0 or absent = none. Applies to web streams (network bodies). */
  stallMs?: number;
  /** Aborting ends the read with the signal's reason. */
  signal?: AbortSignal;
}

/** Yields the source's chunks; throws UploadStalledError after a pause of `stallMs`, or the abort reason. */
export async function* readChunks(source: ByteSource, guard: ReadGuard = {}): AsyncIterable<Uint8Array> {
  if (!(source instanceof ReadableStream)) {
    for await (const chunk of source) {
      guard.signal?.throwIfAborted();
      yield chunk;
    }
    return;
  }
  const reader = source.getReader();
  const watch = new Watchdog(guard);
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await watch.race(reader.read());
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    watch.dispose();
    // Cancelling tells the sender we stopped reading; a finished body needs nothing. Bun 1.3 throws
    // "undefined is not a function" from releaseLock on a finished request body, hence no releaseLock.
    if (!finished) reader.cancel().catch(() => {});
  }
}

/**
 * One timer for the whole read (re-armed lazily), so a multi-gigabyte body does not create a timer per chunk.
 * Only time spent waiting for the sender counts: a slow disk write between reads is not a stall.
 */
class Watchdog {
  #waitingSince: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fail: ((e: unknown) => void) | undefined;
  readonly #failed: Promise<never>;
  readonly #stallMs: number;
  readonly #signal?: AbortSignal;
  readonly #onAbort = () => this.#fail?.(this.#signal?.reason);

  constructor(guard: ReadGuard) {
    this.#stallMs = guard.stallMs ?? 0;
    this.#signal = guard.signal;
    this.#failed = new Promise<never>((_, reject) => {
      this.#fail = reject;
    });
    this.#failed.catch(() => {});
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    if (this.#signal?.aborted) this.#onAbort();
    if (this.#stallMs > 0) this.#arm(this.#stallMs);
  }

  /** `p`, unless the watchdog fires first. */
  async race<T>(p: Promise<T>): Promise<T> {
    this.#waitingSince = Date.now();
    try {
      return await Promise.race([p, this.#failed]);
    } finally {
      this.#waitingSince = undefined;
    }
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => {
      const waited = this.#waitingSince === undefined ? 0 : Date.now() - this.#waitingSince;
      if (waited >= this.#stallMs) this.#fail?.(new UploadStalledError(this.#stallMs));
      else this.#arm(this.#stallMs - waited);
    }, ms);
  }
}
