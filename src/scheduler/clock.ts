/** Time for the scheduler: injectable so keep-alive logic is tested without real timers. */

/** Opaque timer handle. */
export type TimerHandle = unknown;

/** Wall time in milliseconds plus one-shot timers. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

// setTimeout overflows (fires at once) past 2^31-1 ms, so longer waits are chained.
const MAX_TIMER_MS = 2 ** 31 - 1;

interface LongTimer {
  inner: ReturnType<typeof setTimeout> | undefined;
}

/** The real clock. Timers are unref'd: a pending keep-alive never keeps the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle: LongTimer = { inner: undefined };
    const deadline = Date.now() + Math.max(0, ms);
    const arm = () => {
      const left = deadline - Date.now();
      handle.inner = setTimeout(left > MAX_TIMER_MS ? arm : fn, Math.min(Math.max(0, left), MAX_TIMER_MS));
      handle.inner.unref?.();
    };
    arm();
    return handle;
  },
  clearTimeout(handle) {
    const inner = (handle as LongTimer | undefined)?.inner;
    if (inner !== undefined) clearTimeout(inner);
  },
};

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** A manual clock for tests: time moves only through `advance`, which fires due timers in order. */
export class FakeClock implements Clock {
  private time: number;
  private timers: FakeTimer[] = [];
  private nextId = 1;

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = { id: this.nextId++, at: this.time + Math.max(0, ms), fn };
    this.timers.push(t);
    return t.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Number of timers not yet fired or cleared. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due (including ones set while firing). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = target;
  }
}
