/** Scheduler events (loads, unloads and why) as metric updates. */
import type { SchedulerEvents, UnloadReason } from "../../scheduler/index.ts";
import type { TsllmFamilies } from "./catalog.ts";

/** How each unload reason is counted: its `reason` label, and the eviction or crash it also is. */
const KINDS: Record<UnloadReason, { reason: string; eviction?: string; crash?: true }> = {
  "unload requested": { reason: "explicit" },
  "keep_alive 0": { reason: "keep_alive" },
  "keep_alive expired": { reason: "keep_alive" },
  "runner exited": { reason: "crash", crash: true },
  "load options changed": { reason: "reload" },
  "max loaded models reached": { reason: "eviction", eviction: "max_loaded_models" },
  "memory needed": { reason: "eviction", eviction: "memory" },
  "load failed": { reason: "load_failed" },
  shutdown: { reason: "shutdown" },
};

/** The scheduler's event sink for `f`. */
export function schedulerEvents(f: TsllmFamilies): SchedulerEvents {
  return {
    loaded(model, ms) {
      f.loads.labels(model, "success").inc();
      f.loadDuration.labels(model).observe(ms / 1000);
    },
    loadFailed(model) {
      f.loads.labels(model, "failure").inc();
    },
    unloaded(model, reason) {
      const k = KINDS[reason] ?? { reason: "other" };
      f.unloads.labels(model, k.reason).inc();
      if (k.eviction) f.evictions.labels(model, k.eviction).inc();
      if (k.crash) f.crashes.labels(model).inc();
    },
  };
}
