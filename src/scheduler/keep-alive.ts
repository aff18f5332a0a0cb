/** Keep-alive timers: an idle runner unloads when its timer fires; negative keep-alive means never. */
import type { Clock, TimerHandle } from "./clock.ts";

/** One timer per key; re-arming replaces the previous timer. */
export class KeepAliveTimers<K> {
  private timers = new Map<K, { handle: TimerHandle; deadline: number }>();

  constructor(private readonly clock: Clock) {}

  /** Starts (or restarts) the countdown; `ms` must be positive. */
  arm(key: K, ms: number, onExpire: () => void): void {
    this.disarm(key);
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(key);
      onExpire();
    }, ms);
    this.timers.set(key, { handle, deadline: this.clock.now() + ms });
  }

  /** Stops the countdown, if any. */
  disarm(key: K): void {
    const t = this.timers.get(key);
    if (!t) return;
    this.clock.clearTimeout(t.handle);
    this.timers.delete(key);
  }

  /** Stops every countdown. */
  clear(): void {
    for (const key of [...this.timers.keys()]) this.disarm(key);
  }

  /** Deadline (ms since epoch) of an armed timer. */
  deadline(key: K): number | undefined {
    return this.timers.get(key)?.deadline;
  }
}

/**
 * When a runner would unload: the armed deadline when idle, else now + keep-alive (now for 0); null = never.
 */
export function expiresAt(keepAliveMs: number, deadline: number | undefined, now: number): Date | null {
  if (keepAliveMs < 0) return null;
  return new Date(deadline ?? now + keepAliveMs);
}
