/** A runner's load options as libllama context options (threads, batch, KV cache, embeddings, polling). */
import { availableParallelism } from "node:os";
import type { ContextOptions } from "../../llama/engine/context.ts";
import type { Model } from "../../llama/engine/model.ts";
import type { LoadOptions } from "../protocol.ts";

/** The context options for model `m` loaded with `o`. */
export function contextOptions(o: LoadOptions, m: Model): ContextOptions {
  // num_thread 0 = one thread per core (llama.cpp's own default of 4 oversubscribes small machines).
  const threads = o.num_thread > 0 ? o.num_thread : Math.max(1, availableParallelism());
  const base = {
    nCtx: o.num_ctx,
    nThreads: threads,
    flashAttention: o.flash_attention ? true : ("auto" as const),
    kvType: o.kv_cache_type,
  };
  if (o.embedding) {
    const pooled = m.meta(`${m.meta("general.architecture")}.pooling_type`) !== null;
    return {
      ...base,
      nBatch: o.num_ctx,
      nUbatch: o.num_ctx,
      nSeqMax: o.num_parallel,
      embeddings: true,
      pooling: pooled ? undefined : ("mean" as const),
      kvUnified: true,
    };
  }
  // Between two decode steps the engine samples and writes the step's records: the pool's threads keep
  // spinning through that gap instead of going to sleep and being woken (up to 8% more tokens/s at one
  // stream on a 2-core VM, bench/runner-vs-llama-server.ts; llama.cpp's tools default to 50).
  return { ...base, nBatch: o.num_batch, nSeqMax: o.num_parallel, kvUnified: true, threadPoll: 100 };
}
