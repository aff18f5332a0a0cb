/** Turning a resolved model and its load-time options into a runner lease. */
import { currentRequest } from "../observe/request-record.ts";
import type { Lease, RequestedLoadOptions } from "../scheduler/index.ts";
import { defaultContextLength } from "../scheduler/index.ts";
import type { InferenceConfig, InferenceDeps } from "./deps.ts";
import { draftPath } from "./draft-model.ts";
import type { ResolvedModel } from "./model.ts";
import type { LoadKnobs } from "./options.ts";
import { recordScheduled } from "./record.ts";

/** The model's trained context length, 0 when unknown. */
export function trainedContext(m: ResolvedModel): number {
  const arch = String(m.gguf.metadata["general.architecture"] ?? "");
  const v = m.gguf.metadata[`${arch}.context_length`];
  return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : 0;
}

/** Ollama's automatic batch size for a context length. */
function autoBatch(numCtx: number, embedding: boolean): number {
  if (embedding) return Math.min(2048, numCtx);
  return numCtx <= 4096 ? 512 : numCtx <= 32768 ? 1024 : 2048;
}

/** Full load options: request/Modelfile knobs over server defaults. */
export async function loadOptions(
  m: ResolvedModel,
  knobs: LoadKnobs,
  cfg: InferenceConfig,
  embedding: boolean,
): Promise<RequestedLoadOptions> {
  const numCtx =
    knobs.num_ctx ??
    defaultContextLength({
      totalVram: await cfg.totalVram(),
      envContextLength: cfg.contextLength,
      nCtxTrain: trainedContext(m),
    });
  // A batch larger than the context is lowered to it (llama.cpp does the same for causal models, Ollama's
  // llama-server launch too); checkOptionBounds has refused anything below 1 or past MAX_CONTEXT.
  const numBatch = Math.min(Math.max(4, numCtx), knobs.num_batch ?? autoBatch(numCtx, embedding));
  return {
    num_ctx: Math.max(4, numCtx),
    num_batch: Math.max(1, numBatch),
    num_gpu: knobs.num_gpu ?? -1,
    main_gpu: Math.max(0, knobs.main_gpu ?? 0),
    use_mmap: knobs.use_mmap ?? true,
    use_mlock: knobs.use_mlock ?? false,
    num_thread: Math.max(0, knobs.num_thread ?? cfg.numThread),
    flash_attention: cfg.flashAttention,
    kv_cache_type: cfg.kvCacheType,
    embedding,
    ...(knobs.rpc_servers !== undefined ? { rpc_servers: knobs.rpc_servers } : {}),
    // A model with a vision projector loads it with the model (not for embeddings: they take no images).
    ...(!embedding && m.stored.projectorPaths[0] ? { projector: m.stored.projectorPaths[0] } : {}),
  };
}

/** A granted lease plus how long getting it took (ns). */
export interface Scheduled {
  lease: Lease;
  loadNs: number;
}

/** Waits for a runner for `m`; the lease must be released by the caller. */
export async function schedule(
  deps: InferenceDeps,
  m: ResolvedModel,
  knobs: LoadKnobs,
  opts: { embedding: boolean; keepAliveMs?: number; signal?: AbortSignal },
): Promise<Scheduled> {
  const record = currentRequest();
  const t0 = performance.now();
  const options = await loadOptions(m, knobs, deps.config, opts.embedding);
  // A draft model (Modelfile DRAFT, or the draft_model option) loads beside the model for speculative decoding.
  const draft = opts.embedding ? undefined : await draftPath(deps, m, knobs.draft_model);
  const lease = await deps.scheduler.acquire({
    model: m.path,
    name: m.stored.name,
    options: { ...options, ...(draft ? { draft_model: draft } : {}) },
    keepAliveMs: opts.keepAliveMs,
    signal: opts.signal,
  });
  const waited = performance.now() - t0;
  recordScheduled(record, m.stored.name, waited, lease.loadMs);
  return { lease, loadNs: nanos(waited) };
}

/** Milliseconds → integer nanoseconds. */
export function nanos(ms: number): number {
  return Math.max(0, Math.round(ms * 1e6));
}
