/**
 * The scheduler: hands out runner leases in FIFO order, loads one model at a time, evicts idle runners
 * (least recently used first) for memory or the model limit, and unloads idle runners when their
 * keep-alive runs out. Requests for one model share its runner, up to its slot count at once.
 */
import { basename } from "node:path";
import { type Clock, systemClock } from "./clock.ts";
import { RequestCancelledError, SchedulerClosedError } from "./errors.ts";
import { expiresAt, KeepAliveTimers } from "./keep-alive.ts";
import type { ModelFacts } from "./layout/facts.ts";
import { makeLease, serialPass } from "./lease.ts";
import { collectActivity, type ModelActivity } from "./activity.ts";
import { type LoadHost, loadFor } from "./load.ts";
import { effectiveOptions, sameLoadOptions } from "./memory.ts";
import { type LoadedModel, ModelTable } from "./model-table.ts";
import { psEntry, sortPs } from "./ps.ts";
import { type PendingRequest as Pending, pendingRequest, RequestQueue } from "./queue.ts";
import type { AcquireRequest, Lease, PsEntry, SchedulerOptions } from "./types.ts";

/** Counters for status endpoints and metrics. */
export interface SchedulerStats {
  queued: number;
  loading: number;
  loaded: number;
  inFlight: number;
}

/** Runs the model table; one instance per server. */
export class Scheduler {
  private readonly clock: Clock;
  private readonly queue: RequestQueue<Pending>;
  private readonly table: ModelTable;
  private readonly timers: KeepAliveTimers<LoadedModel>;
  private readonly factsCache = new Map<string, Promise<ModelFacts>>();
  private readonly host: LoadHost;
  private loadTask: Promise<void> | null = null;
  /** Bumped by every event that can unblock a waiting load (release, unload, abort, new request). */
  private version = 0;
  private useTick = 0;
  private closed = false;
  /** Aborted by endInFlight; every lease carries its signal. */
  private readonly ending = new AbortController();

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.queue = new RequestQueue(opts.maxQueue);
    this.timers = new KeepAliveTimers(this.clock);
    this.table = new ModelTable(
      (e, reason) => {
        this.timers.disarm(e);
        this.version++;
        opts.logger?.info("unloading model", { model: basename(e.path), reason });
        opts.events?.unloaded(e.name, reason);
      },
      (e, err) => opts.logger?.warn("runner close failed", { model: e.path, error: String(err) }),
    );
    this.host = {
      table: this.table,
      opts,
      facts: (path) => this.facts(path),
      wanted: (p) => !this.closed && this.queue.has(p),
      usable: (p) => this.usable(p),
      version: () => this.version,
      tick: () => ++this.useTick,
      ready: (e, p) => {
        if (this.queue.remove(p)) p.resolve(this.grant(e, p));
        else this.idle(e);
      },
    };
  }

  /** Waits for a runner of `req.model` with `req.options` and a free slot; the lease must be released. */
  async acquire(req: AcquireRequest): Promise<Lease> {
    if (this.closed) throw new SchedulerClosedError();
    if (req.signal?.aborted) throw new RequestCancelledError();
    const arrivedAt = performance.now();
    const facts = await this.facts(req.model);
    if (this.closed) throw new SchedulerClosedError();
    if (req.signal?.aborted) throw new RequestCancelledError();
    const signal = req.signal;
    return new Promise<Lease>((resolve, reject) => {
      const p = pendingRequest(
        {
          model: req.model,
          name: req.name,
          options: effectiveOptions(req.options, facts, this.opts.numParallel),
          keepAliveMs: req.keepAliveMs ?? this.opts.defaultKeepAliveMs,
          arrivedAt,
        },
        { resolve, reject },
        signal,
        () => {
          if (!this.queue.remove(p)) return;
          this.version++;
          p.reject(new RequestCancelledError());
          this.kick();
        },
      );
      const ready = this.usable(p);
      if (ready && ready.inFlight < ready.slots && !this.queue.hasModel(p.model)) {
        p.resolve(this.grant(ready, p));
        return;
      }
      try {
        this.queue.push(p);
      } catch (err) {
        reject(err);
        return;
      }
      p.listen();
      this.version++;
      this.kick();
    });
  }

  /** Unloads a model by request name or blob path: now if idle, else when its last lease ends. */
  async unload(name: string): Promise<boolean> {
    const found = this.table.find(name);
    for (const e of found) {
      e.keepAliveMs = 0;
      if (e.state === "ready" && e.inFlight === 0) this.table.unload(e, "unload requested");
    }
    await this.table.settle();
    this.kick();
    return found.length > 0;
  }

  /** Loaded models for /api/ps, latest expiry first. Runners found dead are dropped on the way. */
  loaded(): PsEntry[] {
    const now = this.clock.now();
    const rows: PsEntry[] = [];
    for (const e of this.table.all()) {
      if (e.state !== "ready") continue;
      if (e.runner.hasExited()) {
        this.table.unload(e, "runner exited");
        continue;
      }
      const until = e.inFlight > 0 ? undefined : this.timers.deadline(e);
      rows.push(psEntry(e, expiresAt(e.keepAliveMs, until, now), this.opts.variant ?? ""));
    }
    return sortPs(rows);
  }

  /**
   * Every loaded (or loading) model and every model with requests waiting, with its runner's slot and KV
   * state; a runner that does not answer within `timeoutMs` is reported without it.
   */
  activity(timeoutMs = 250): Promise<ModelActivity[]> {
    return collectActivity(this.table.all(), this.queue.snapshot(), timeoutMs);
  }

  /** Queue and table counters. */
  stats(): SchedulerStats {
    const all = this.table.all();
    return {
      queued: this.queue.length,
      loading: all.filter((e) => e.state === "loading").length,
      loaded: all.filter((e) => e.state === "ready").length,
      inFlight: all.reduce((n, e) => n + e.inFlight, 0),
    };
  }

  /**
   * Ends in-flight work without closing runners: waiting requests are refused, no new one is taken, and
   * every lease's `ending` signal aborts with `reason`, so generations stop at their next decode step and
   * finish with that reason. Idempotent.
   */
  endInFlight(reason = "shutdown"): void {
    this.closed = true;
    for (const p of this.queue.drain()) p.reject(new SchedulerClosedError());
    this.ending.abort(reason);
  }

  /** Rejects waiting requests and closes every runner. Idempotent. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.drain()) p.reject(new SchedulerClosedError());
    this.timers.clear();
    for (const e of this.table.all()) this.table.unload(e, "shutdown");
    await this.table.settle();
  }

  private facts(path: string): Promise<ModelFacts> {
    let f = this.factsCache.get(path);
    if (!f) {
      f = this.opts.describeModel(path);
      this.factsCache.set(path, f);
      f.catch(() => this.factsCache.delete(path));
    }
    return f;
  }

  /** The ready runner that can serve `p`, dropping it first if its process died. */
  private usable(p: Pending): LoadedModel | undefined {
    const e = this.table.get(p.model);
    if (!e || e.state !== "ready") return undefined;
    if (e.runner.hasExited()) {
      this.table.unload(e, "runner exited");
      return undefined;
    }
    const drain = e.drainFor;
    if (drain && drain !== p && this.queue.has(drain) && !this.queue.isBefore(p, drain)) return undefined;
    return sameLoadOptions(e.requested, p.options) ? e : undefined;
  }

  private grant(e: LoadedModel, p: Pending): Lease {
    e.inFlight++;
    e.lastUsed = ++this.useTick;
    e.keepAliveMs = p.keepAliveMs; // the latest request's keep_alive wins
    e.name = p.name;
    this.timers.disarm(e);
    // A load that finished after the request arrived is one it waited for.
    const loadMs = e.readyAt >= p.arrivedAt ? e.loadMs : 0;
    return makeLease(e, p.name, () => this.release(e), this.ending.signal, loadMs);
  }

  private release(e: LoadedModel): void {
    e.inFlight--;
    e.lastUsed = ++this.useTick;
    this.version++;
    if (this.table.holds(e) && e.inFlight === 0) this.idle(e);
    this.kick();
  }

  /** A runner just lost its last lease (or loaded for a request that went away). */
  private idle(e: LoadedModel): void {
    if (e.runner.hasExited()) this.table.unload(e, "runner exited");
    else if (e.keepAliveMs === 0) this.table.unload(e, "keep_alive 0");
    else if (e.keepAliveMs > 0) {
      this.timers.arm(e, e.keepAliveMs, () => {
        if (!this.table.holds(e) || e.inFlight > 0) return;
        this.table.unload(e, e.runner.hasExited() ? "runner exited" : "keep_alive expired");
        this.kick();
      });
    }
  }

  /** Runs `pass` now, or once more after the running one (releases and aborts can happen inside it). */
  private readonly kick = serialPass(() => this.pass());

  /**
   * Grants what can be granted, oldest first. A request that cannot be served blocks later requests for
   * the same model (FIFO per model); the oldest request needing a load starts it when no load runs.
   */
  private pass(): void {
    const blocked = new Set<string>();
    let loadBusy = this.loadTask !== null || this.closed;
    for (const p of this.queue.snapshot()) {
      if (blocked.has(p.model)) continue;
      const e = this.usable(p);
      if (e && e.inFlight < e.slots) {
        this.queue.remove(p);
        p.resolve(this.grant(e, p));
        continue;
      }
      blocked.add(p.model);
      if (e || loadBusy) continue;
      loadBusy = true;
      this.startLoad(p);
    }
  }

  private startLoad(p: Pending): void {
    this.loadTask = (async () => {
      await Promise.resolve(); // leave pass() before touching the table
      let rekick = true;
      try {
        const waitedAt = await loadFor(this.host, p);
        if (waitedAt !== null) rekick = waitedAt !== this.version;
      } catch (err) {
        this.opts.logger?.warn("model load failed", { model: p.model, error: String(err) });
        this.opts.events?.loadFailed(p.name);
        if (this.queue.remove(p)) p.reject(err);
      } finally {
        this.loadTask = null; // only one load runs at a time
        if (rekick) this.kick();
      }
    })();
  }
}
