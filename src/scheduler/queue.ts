/** The bounded FIFO of requests waiting for a runner slot or a model load. */
import type { LoadOptions } from "../runner/protocol.ts";
import { QueueFullError } from "./errors.ts";
import type { Lease } from "./types.ts";

/** A request waiting in the queue, its options already normalised. */
export interface PendingRequest {
  model: string;
  name: string;
  options: LoadOptions;
  keepAliveMs: number;
  /** performance.now() when it was asked for (a load that ends after it is one this request waited for). */
  arrivedAt: number;
  resolve(lease: Lease): void;
  reject(err: unknown): void;
  /** Starts watching the caller's signal (once queued); settling stops watching it. */
  listen(): void;
}

/** A PendingRequest settling through `settle`, calling `onAbort` if the caller's signal fires while queued. */
export function pendingRequest(
  fields: Pick<PendingRequest, "model" | "name" | "options" | "keepAliveMs" | "arrivedAt">,
  settle: { resolve(lease: Lease): void; reject(err: unknown): void },
  signal: AbortSignal | undefined,
  onAbort: () => void,
): PendingRequest {
  const stop = () => signal?.removeEventListener("abort", onAbort);
  return {
    ...fields,
    resolve: (lease) => {
      stop();
      settle.resolve(lease);
    },
    reject: (err) => {
      stop();
      settle.reject(err);
    },
    listen: () => signal?.addEventListener("abort", onAbort, { once: true }),
  };
}

/** A FIFO with a capacity; pushing onto a full queue throws QueueFullError (503). */
export class RequestQueue<T extends { model: string }> {
  private items: T[] = [];

  constructor(private readonly capacity: number) {}

  /** Appends, or throws QueueFullError when `capacity` requests already wait. */
  push(item: T): void {
    if (this.items.length >= this.capacity) throw new QueueFullError();
    this.items.push(item);
  }

  /** Removes one item; false when it was not queued. */
  remove(item: T): boolean {
    const i = this.items.indexOf(item);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  /** True while the item waits. */
  has(item: T): boolean {
    return this.items.includes(item);
  }

  /** True when `a` waits ahead of `b` (false when either is not queued). */
  isBefore(a: T, b: T): boolean {
    const i = this.items.indexOf(a);
    const j = this.items.indexOf(b);
    return i >= 0 && j >= 0 && i < j;
  }

  /** True when some waiting request is for this model. */
  hasModel(model: string): boolean {
    return this.items.some((r) => r.model === model);
  }

  /** A snapshot, oldest first (safe to mutate the queue while iterating it). */
  snapshot(): T[] {
    return [...this.items];
  }

  /** Removes and returns everything. */
  drain(): T[] {
    const all = this.items;
    this.items = [];
    return all;
  }

  get length(): number {
    return this.items.length;
  }
}
