/** GET /api/slots: each model's slots (state, cached tokens, the current request's progress) and KV cache. */
import type { SlotInfo } from "../runner/protocol.ts";
import type { InferenceDeps } from "./deps.ts";

/** One model's row. Model names and digests only: no file paths, prompts or keys. */
export interface ModelSlots {
  name: string;
  digest: string;
  /** loading, ready, or waiting (requests queued, model not loaded yet). */
  state: "loading" | "ready" | "waiting";
  requests_running: number;
  requests_waiting: number;
  context_length: number;
  /** KV cache cells in use and in all (the context, shared by the slots); null without the runner's answer. */
  kv_cells_used: number | null;
  kv_cells_total: number | null;
  /** null while loading or waiting, or when the runner did not answer in time. */
  slots: SlotInfo[] | null;
}

/** The slot state of every loaded or awaited model. */
export async function modelSlots(deps: InferenceDeps): Promise<ModelSlots[]> {
  const rows = await deps.scheduler.activity();
  return rows.map((m) => ({
    name: m.name,
    digest: m.digest,
    state: m.state,
    requests_running: m.running,
    requests_waiting: m.waiting,
    context_length: m.numCtx,
    kv_cells_used: m.runner?.kv_cells_used ?? null,
    kv_cells_total: m.runner?.kv_cells_total ?? null,
    slots: m.runner?.slots ?? null,
  }));
}
