/** What the planner is told: device free memory minus what loaded runners hold, and load-option rules. */
import type { LoadOptions } from "../runner/protocol.ts";
import type { ModelFacts } from "./layout/facts.ts";
import type { GpuInfo } from "./layout/plan.ts";
import type { LoadedModel } from "./model-table.ts";
import type { Device, RequestedLoadOptions } from "./types.ts";

/** Free memory as the planner should see it. */
export interface FreeMemory {
  gpus: GpuInfo[];
  systemFree: number;
  swapFree: number;
}

function heldOn(device: Device, models: LoadedModel[]): number {
  let held = 0;
  for (const m of models) {
    for (const d of m.memory()) {
      const isHost = device.type === "cpu" && d.device.toUpperCase() === "CPU";
      if (isHost || d.device === device.name || d.device === device.id)
        held += d.weights + d.kv_cache + d.compute;
    }
  }
  return held;
}

/**
 * Per device: min(reported free, total − held by loaded runners). The reported figure may lag behind a
 * runner that is still allocating; the subtraction catches that, and min() avoids counting a runner twice.
 */
export function freeMemory(devices: Device[], models: LoadedModel[]): FreeMemory {
  const avail = (d: Device) => Math.max(0, Math.min(d.free, d.total - heldOn(d, models)));
  const host = devices.find((d) => d.type === "cpu");
  return {
    gpus: devices
      .filter((d) => d.type === "gpu")
      .map((d) => ({ id: d.id, name: d.name, free: avail(d), total: d.total, minimum: d.minimum })),
    systemFree: host ? avail(host) : Number.POSITIVE_INFINITY,
    swapFree: host?.swapFree ?? 0,
  };
}

/** Fills num_parallel, caps num_ctx at the trained context (at least 4 cells), as Ollama compares them. */
export function effectiveOptions(
  req: RequestedLoadOptions,
  facts: ModelFacts,
  numParallel: number,
): LoadOptions {
  const capped = facts.nCtxTrain > 0 ? Math.min(req.num_ctx, facts.nCtxTrain) : req.num_ctx;
  return { ...req, num_ctx: Math.max(4, capped), num_parallel: Math.max(1, req.num_parallel ?? numParallel) };
}

/** True when a runner loaded with `loaded` can serve `wanted`; a wanted num_gpu of -1 accepts any. */
export function sameLoadOptions(loaded: LoadOptions, wanted: LoadOptions): boolean {
  for (const key of Object.keys(wanted) as (keyof LoadOptions)[]) {
    if (key === "num_gpu" && wanted.num_gpu < 0) continue;
    const [a, b] = [loaded[key], wanted[key]];
    // Lists (an RPC pin) compare by their entries.
    if (Array.isArray(a) && Array.isArray(b) ? a.join() !== b.join() : a !== b) return false;
  }
  return Object.keys(loaded).length === Object.keys(wanted).length;
}
