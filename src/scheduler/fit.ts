/**
 * The runner's own fit: before committing a planned layout, ask the runner what it needs per device (libllama
 * with no_alloc, nothing allocated) and shrink the GPU layer count until every GPU has room. The plan is an
 * estimate; this is llama.cpp's answer for the exact model, context and batch.
 */
import type { Logger } from "../log.ts";
import type { LoadOptions, LoadResponse } from "../runner/protocol.ts";
import type { Runner } from "../runner/types.ts";
import type { FreeMemory } from "./memory.ts";

/** At most this many fit rounds; each shrinks the layer count. */
const MAX_ROUNDS = 8;

/** The largest GPU layer count ≤ `numGpu` whose fit report stays within every GPU's free memory. */
export async function fitLayers(
  runner: Runner,
  options: LoadOptions,
  numGpu: number,
  free: FreeMemory,
  logger?: Logger,
): Promise<number> {
  if (!runner.fit || numGpu <= 0 || free.gpus.length === 0) return numGpu;
  let n = numGpu;
  for (let round = 0; round < MAX_ROUNDS && n > 0; round++) {
    let report: LoadResponse;
    try {
      report = await runner.fit({ ...options, num_gpu: n });
    } catch (e) {
      logger?.warn("fit failed, loading the planned layout", { error: (e as Error).message });
      return n;
    }
    const ratio = tightest(report, free);
    if (ratio >= 1) return n;
    const next = Math.min(n - 1, Math.floor(n * ratio));
    logger?.info("layout does not fit, fewer GPU layers", { from: n, to: Math.max(0, next) });
    n = Math.max(0, next);
  }
  return n;
}

/** min over GPUs of available / needed (≥ 1 when everything fits). */
function tightest(report: LoadResponse, free: FreeMemory): number {
  let ratio = Number.POSITIVE_INFINITY;
  for (const d of report.memory) {
    const gpu = free.gpus.find((g) => g.name === d.device || g.id === d.device);
    if (!gpu) continue;
    const need = d.weights + d.kv_cache + d.compute;
    if (need > 0) ratio = Math.min(ratio, Math.max(0, gpu.free - (gpu.minimum ?? 0)) / need);
  }
  return ratio;
}
