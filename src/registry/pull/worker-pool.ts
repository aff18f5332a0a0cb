/**
 * Pull's workers kept between downloads. Starting a transfer or hash worker costs ~30 ms and ~60 ms of CPU
 * each; at a pull's start, two of them starting on 2 cores held its first request back by ~85 ms (measured),
 * and a fresh worker moves its first megabytes with cold code. So a download takes an idle worker of its kind
 * (or starts one), and one that ended its download cleanly comes back here: idle, unref'd (it never keeps the
 * process alive), for IDLE_MS at most, and no more than MAX_IDLE of a kind. A pull starts one of each once its
 * manifest shows a blob that needs it (prewarm). A worker that failed is ended, never given back.
 */

/** How long an idle worker is kept. */
export const IDLE_MS = 60_000;
/** Idle workers kept per kind. */
export const MAX_IDLE = 2;

interface Idle {
  readonly worker: Worker;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Workers of one kind (one entry point) that are started once and used by one download at a time. */
export class WorkerPool {
  readonly #idle: Idle[] = [];
  /** Workers that exited (a crash while idle): never handed out. */
  readonly #gone = new WeakSet<Worker>();

  constructor(
    private readonly spawn: () => Worker,
    private readonly idleMs = IDLE_MS,
    private readonly maxIdle = MAX_IDLE,
  ) {}

  /** Idle workers (tests). */
  get idle(): number {
    return this.#idle.length;
  }

  /** An idle worker, or a new one (throws what starting one throws); its message handlers are unset. */
  take(): Worker {
    for (let i = this.#idle.pop(); i; i = this.#idle.pop()) {
      clearTimeout(i.timer);
      if (!this.#gone.has(i.worker)) return i.worker;
    }
    return this.#start();
  }

  /** Takes back a worker whose download ended cleanly (its handlers are cleared here). */
  give(worker: Worker): void {
    worker.onmessage = null;
    worker.onerror = null;
    if (this.#gone.has(worker) || this.#idle.length >= this.maxIdle) {
      worker.terminate();
      return;
    }
    worker.unref();
    const timer = setTimeout(() => this.#retire(worker), this.idleMs);
    timer.unref?.();
    this.#idle.push({ worker, timer });
  }

  /** Starts a worker now for the next take, unless one is idle already; a worker that cannot start is left to take. */
  prewarm(): void {
    if (this.#idle.length > 0) return;
    try {
      this.give(this.#start());
    } catch {
      // take() reports it.
    }
  }

  /** Ends every idle worker (tests). */
  clear(): void {
    for (const i of this.#idle.splice(0)) {
      clearTimeout(i.timer);
      i.worker.terminate();
    }
  }

  #start(): Worker {
    const worker = this.spawn();
    worker.addEventListener("close", () => {
      this.#gone.add(worker);
      this.#unlist(worker);
    });
    return worker;
  }

  #retire(worker: Worker): void {
    if (this.#unlist(worker)) worker.terminate();
  }

  /** Removes `worker` from the idle list (its timer cleared); false if it was not there. */
  #unlist(worker: Worker): boolean {
    const at = this.#idle.findIndex((i) => i.worker === worker);
    if (at < 0) return false;
    clearTimeout((this.#idle.splice(at, 1)[0] as Idle).timer);
    return true;
  }
}

/** Where a download's worker comes from and goes back to. */
export interface WorkerSource {
  /** A worker, watched: `onExit` runs if it exits while taken. */
  take(): Worker;
  /** The worker is done with (no longer watched): kept for the next download when it ended `clean`ly, else ended. */
  release(worker: Worker, clean: boolean): void;
}

/** `pool`'s workers, or one-off workers from `spawn` (tests), which are never pooled. */
export function workerSource(
  pool: WorkerPool,
  spawn: (() => Worker) | undefined,
  onExit: () => void,
): WorkerSource {
  return {
    take() {
      const worker = spawn ? spawn() : pool.take();
      worker.addEventListener("close", onExit);
      return worker;
    },
    release(worker, clean) {
      worker.removeEventListener("close", onExit);
      if (clean && !spawn) pool.give(worker);
      else worker.terminate();
    },
  };
}
