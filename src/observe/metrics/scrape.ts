/**
 * The gauges a scrape computes: per model from the scheduler's activity (running, waiting, slots, memory,
 * and the runner's own slot and KV state), per device from the device list, and llama-server's
 * runner-kept counters (decode calls, busy slots) folded into monotonic per-model totals.
 */
import type { Device, ModelActivity } from "../../scheduler/index.ts";
import type { TsllmFamilies } from "./catalog.ts";
import { type LlamacppFamilies, RunnerTotals } from "./llamacpp.ts";

/** Where a scrape's numbers come from (the scheduler and the device list, wired in cli/serve.ts). */
export interface ScrapeSource {
  activity(): Promise<ModelActivity[]>;
  devices(): Promise<Device[]>;
}

const KINDS = ["weights", "kv_cache", "compute"] as const;

/** Refreshes the scrape-time gauges; one instance per server (it keeps the runner counter totals). */
export class ScrapeCollector {
  readonly #decodes = new RunnerTotals();
  readonly #busy = new RunnerTotals();
  /** Per model: decode calls and busy slots summed over every runner it had. */
  readonly #perDecode = new Map<string, { decodes: number; busy: number }>();

  constructor(
    private readonly f: TsllmFamilies,
    private readonly lc: LlamacppFamilies,
    private readonly source: ScrapeSource,
  ) {}

  /**
   * Asks the source, then sets every scraped family from scratch (no await after the reset). The llama-server
   * rate gauges cover the time since their previous scrape, so only a scrape that writes them restarts them.
   */
  async collect(include: (name: string) => boolean = () => true): Promise<void> {
    const [models, devices] = await Promise.all([this.source.activity(), this.source.devices()]);
    const { f, lc } = this;
    for (const g of [...f.scraped(), ...lc.scraped()]) g.reset();
    const used = new Map<string, number>();
    const live = new Set<number>();
    let loaded = 0;
    for (const m of models) {
      f.running.labels(m.name).set(m.running);
      f.waiting.labels(m.name).set(m.waiting);
      lc.deferred.labels(m.name).set(m.waiting);
      if (m.state === "waiting") continue;
      if (m.state === "ready") loaded++;
      for (const d of m.memory) {
        // Planned sizes (before a runner reports its own) can be fractional: bytes are whole.
        for (const kind of KINDS) f.modelMemory.labels(m.name, d.device, kind).set(Math.round(d[kind]));
        used.set(d.device, (used.get(d.device) ?? 0) + Math.round(d.weights + d.kv_cache + d.compute));
      }
      f.slotsTotal.labels(m.name).set(m.slots);
      const r = m.runner;
      const busy = r ? r.slots.filter((s) => s.state !== "idle").length : m.running;
      f.slotsBusy.labels(m.name).set(busy);
      lc.processing.labels(m.name).set(busy);
      if (r) {
        live.add(m.pid);
        this.#runner(m, r);
      }
    }
    this.#decodes.retain(live);
    this.#busy.retain(live);
    f.modelsLoaded.labels().set(loaded);
    for (const d of devices) {
      f.deviceTotal.labels(d.name).set(d.total);
      f.deviceFree.labels(d.name).set(d.free);
      f.deviceUsed.labels(d.name).set(used.get(d.name) ?? 0);
    }
    if (include(lc.promptRate.name)) lc.flushRates();
  }

  #runner(m: ModelActivity, r: NonNullable<ModelActivity["runner"]>): void {
    const { f, lc } = this;
    const ratio = r.kv_cells_total > 0 ? r.kv_cells_used / r.kv_cells_total : 0;
    f.kvUsed.labels(m.name).set(r.kv_cells_used);
    f.kvTotal.labels(m.name).set(r.kv_cells_total);
    f.kvRatio.labels(m.name).set(ratio);
    lc.kvRatio.labels(m.name).set(ratio);
    lc.kvTokens.labels(m.name).set(r.kv_cells_used);
    const decodes = this.#decodes.delta(m.pid, r.n_decode);
    const busy = this.#busy.delta(m.pid, r.n_busy_slots);
    lc.decodes.labels(m.name).inc(decodes);
    let acc = this.#perDecode.get(m.name);
    if (!acc) {
      acc = { decodes: 0, busy: 0 };
      this.#perDecode.set(m.name, acc);
    }
    acc.decodes += decodes;
    acc.busy += busy;
    lc.busyPerDecode.labels(m.name).set(acc.busy / Math.max(1, acc.decodes));
  }
}
