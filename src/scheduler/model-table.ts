/** The loaded (and loading) runners, one per model blob, with what LRU eviction and keep-alive need. */
import type { DeviceMemory, LoadOptions } from "../runner/protocol.ts";
import type { Runner } from "../runner/types.ts";
import type { ModelFacts } from "./layout/facts.ts";
import type { LayoutPlan } from "./layout/plan.ts";
import type { PendingRequest } from "./queue.ts";

/** Why a runner leaves the table (logged as is; metrics count them by kind). */
export type UnloadReason =
  | "unload requested"
  | "keep_alive 0"
  | "keep_alive expired"
  | "runner exited"
  | "load options changed"
  | "max loaded models reached"
  | "memory needed"
  | "load failed"
  | "shutdown";

/** One runner in the table. */
export class LoadedModel {
  /** "loading" until waitUntilRunning resolves. */
  state: "loading" | "ready" = "loading";
  /** Leases not yet released. */
  inFlight = 0;
  /** Logical time of the last grant or release (higher = more recent). */
  lastUsed = 0;
  /** A queued load waiting for this runner to go idle; requests queued after it get no new lease here. */
  drainFor: PendingRequest | null = null;
  /** How long its load took (ms), and performance.now() when it became ready (-1 until then). */
  loadMs = 0;
  readyAt = -1;

  constructor(
    /** Blob path (the table key). */
    readonly path: string,
    /** Name of the latest request (shown by /api/ps). */
    public name: string,
    /** Options as requested, after normalisation (num_gpu may be -1). */
    readonly requested: LoadOptions,
    readonly runner: Runner,
    readonly plan: LayoutPlan,
    readonly facts: ModelFacts,
    /** Keep-alive of the latest request, ms; negative = forever. */
    public keepAliveMs: number,
  ) {}

  /** Slots the runner serves at once. */
  get slots(): number {
    return this.runner.spec.options.num_parallel;
  }

  /** Memory held per device: measured by the runner when it reports, else the plan's estimate. */
  memory(): DeviceMemory[] {
    const measured = this.runner.memory();
    if (measured.length > 0) return measured;
    return [
      ...this.plan.gpus.map((g) => ({
        device: g.name,
        weights: g.weights,
        kv_cache: g.kv,
        compute: g.compute,
      })),
      {
        device: "CPU",
        weights: this.plan.cpu.weights,
        kv_cache: this.plan.cpu.kv,
        compute: this.plan.cpu.compute,
      },
    ];
  }
}

/** Called when an entry leaves the table (to log it and wake waiting loads). */
export type UnloadHook = (entry: LoadedModel, reason: UnloadReason) => void;

/** Runners by blob path; removing an entry closes its runner, and `settle` waits for those closes. */
export class ModelTable {
  private byPath = new Map<string, LoadedModel>();
  /** Per model path: the most GPU layers known to load; layouts above it ran out of memory once. */
  readonly layerCeiling = new Map<string, number>();
  private closing = new Set<Promise<void>>();

  constructor(
    private readonly onUnload: UnloadHook = () => {},
    private readonly onCloseError: (entry: LoadedModel, err: unknown) => void = () => {},
  ) {}

  get(path: string): LoadedModel | undefined {
    return this.byPath.get(path);
  }

  /** Adds or replaces the entry for its path. */
  set(entry: LoadedModel): void {
    this.byPath.set(entry.path, entry);
  }

  /** Removes this exact entry and closes its runner in the background; false when already gone. */
  unload(entry: LoadedModel, reason: UnloadReason): boolean {
    if (this.byPath.get(entry.path) !== entry) return false;
    this.byPath.delete(entry.path);
    this.onUnload(entry, reason);
    const closing: Promise<void> = entry.runner
      .close()
      .catch((err) => this.onCloseError(entry, err))
      .finally(() => this.closing.delete(closing));
    this.closing.add(closing);
    return true;
  }

  /**
   * Marks the least recently used busy runner to drain for `p` (unless one already drains for it), so that
   * a stream of requests for a loaded model cannot keep p waiting forever.
   */
  drainFor(p: PendingRequest, stillWaiting: (q: PendingRequest) => boolean): void {
    const busy = this.all().filter((e) => e.state === "ready");
    if (busy.some((e) => e.drainFor === p)) return;
    const victim = busy
      .filter((e) => !e.drainFor || !stillWaiting(e.drainFor))
      .sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (victim) victim.drainFor = p;
  }

  /** Unloads the least recently used idle runner; false when every runner is busy. */
  evictLru(reason: UnloadReason): boolean {
    const victim = this.lruIdle();
    return victim !== undefined && this.unload(victim, reason);
  }

  /** True while a runner is still closing (its memory not yet returned). */
  get settling(): boolean {
    return this.closing.size > 0;
  }

  /** Resolves once every runner being closed has exited. */
  async settle(): Promise<void> {
    while (this.closing.size > 0) await Promise.all(this.closing);
  }

  /** True while this exact entry is in the table. */
  holds(entry: LoadedModel): boolean {
    return this.byPath.get(entry.path) === entry;
  }

  /** Entries whose request name or blob path is `name`. */
  find(name: string): LoadedModel[] {
    return this.all().filter((e) => e.name === name || e.path === name);
  }

  /** The least recently used loaded runner with no lease out, if any. */
  lruIdle(): LoadedModel | undefined {
    return this.all()
      .filter((e) => e.state === "ready" && e.inFlight === 0)
      .sort((a, b) => a.lastUsed - b.lastUsed)[0];
  }

  all(): LoadedModel[] {
    return [...this.byPath.values()];
  }

  get size(): number {
    return this.byPath.size;
  }
}
