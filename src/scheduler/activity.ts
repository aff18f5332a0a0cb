/**
 * What each model is doing right now, for GET /api/slots and the /metrics gauges: the scheduler's view
 * (running, waiting, slots, memory) plus, for a ready runner, its own slot and KV-cache state. Runners are
 * asked in parallel with a short timeout, so one that does not answer cannot stall a scrape.
 */
import type { DeviceMemory, RunnerSlots } from "../runner/protocol.ts";
import type { LoadedModel } from "./model-table.ts";
import { digestOfPath } from "./ps.ts";
import type { PendingRequest } from "./queue.ts";

/** One model's activity. */
export interface ModelActivity {
  /** The name the model was loaded (or asked for) under. */
  name: string;
  /** sha256 hex of the model blob, "" when unknown. */
  digest: string;
  /** `waiting`: requests queued for a model that is not loaded (or not yet loading). */
  state: "loading" | "ready" | "waiting";
  /** Requests holding a slot, and requests queued for this model. */
  running: number;
  waiting: number;
  /** Slots the runner serves at once (0 while waiting). */
  slots: number;
  numCtx: number;
  /** Memory held per device, bytes (empty while waiting). */
  memory: DeviceMemory[];
  /** The runner's process id (0 while waiting): its counters restart with a new process. */
  pid: number;
  /** The runner's slot and KV state; absent unless ready and answered in time. */
  runner?: RunnerSlots;
}

/** Builds the activity rows; `entries` is the model table, `queued` the waiting requests. */
export async function collectActivity(
  entries: readonly LoadedModel[],
  queued: readonly PendingRequest[],
  timeoutMs: number,
): Promise<ModelActivity[]> {
  const waiting = new Map<string, { name: string; count: number; numCtx: number }>();
  for (const p of queued) {
    const w = waiting.get(p.model);
    if (w) w.count++;
    else waiting.set(p.model, { name: p.name, count: 1, numCtx: p.options.num_ctx });
  }
  const rows = entries.map(async (e): Promise<ModelActivity> => {
    const ready = e.state === "ready" && !e.runner.hasExited();
    const runner =
      ready && e.runner.slots
        ? await e.runner.slots(AbortSignal.timeout(timeoutMs)).catch(() => undefined)
        : undefined;
    return {
      name: e.name,
      digest: digestOfPath(e.path),
      state: e.state,
      running: e.inFlight,
      waiting: waiting.get(e.path)?.count ?? 0,
      slots: e.slots,
      numCtx: e.runner.spec.options.num_ctx,
      memory: e.memory(),
      pid: e.runner.pid,
      ...(runner ? { runner } : {}),
    };
  });
  const loaded = new Set(entries.map((e) => e.path));
  const queuedOnly = [...waiting]
    .filter(([path]) => !loaded.has(path))
    .map(
      ([path, w]): ModelActivity => ({
        name: w.name,
        digest: digestOfPath(path),
        state: "waiting",
        running: 0,
        waiting: w.count,
        slots: 0,
        numCtx: w.numCtx,
        memory: [],
        pid: 0,
      }),
    );
  return [...(await Promise.all(rows)), ...queuedOnly];
}
