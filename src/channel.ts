/** A one-producer, one-consumer async queue: push values, then close or fail; iterate to receive them. */
export class Channel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: (() => void) | null = null;
  private ended = false;
  private error: unknown = undefined;

  /** Queues a value (ignored after close). */
  push(v: T): void {
    if (this.ended) return;
    this.items.push(v);
    this.wake();
  }

  /** Ends the stream after the queued values. */
  close(): void {
    this.ended = true;
    this.wake();
  }

  /** Ends the stream with an error after the queued values. */
  fail(e: unknown): void {
    this.error = e ?? new Error("failed");
    this.close();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const next = this.items.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.ended) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await new Promise<void>((r) => {
        this.waiting = r;
      });
    }
  }
}
