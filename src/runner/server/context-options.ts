/** A runner's load options as libllama context options (threads, batch, KV cache, embeddings, polling). */
import { availableParallelism } from "node:os";
import type { ContextOptions } from "../../llama/engine/context.ts";
import type { Model } from "../../llama/engine/model.ts";
import type { LoadOptions } from "../protocol.ts";

/**
 * n_ctx and n_batch for `o`: at least the slot count. llama.cpp reserves one output row per sequence within
 * n_batch at context creation (output_reserve's GGML_ASSERT fires on n_batch 1 with 4 slots), and lowers
 * n_batch to n_ctx for causal models, so both must hold every slot; a step also holds one token of each
 * generating slot.
 */
export const contextSize = (o: LoadOptions): number => Math.max(o.num_ctx, o.num_parallel);
/** See contextSize. */
export const contextBatch = (o: LoadOptions): number => Math.max(o.num_batch, o.num_parallel);

/**
 * Threads for `o`: num_thread 0 = one per logical core (llama.cpp's own default of 4 oversubscribes small
 * machines); more than the cores is lowered to the cores, since extra threads only spin against each other.
 */
export const contextThreads = (o: LoadOptions, cores = Math.max(1, availableParallelism())): number =>
  o.num_thread > 0 ? Math.min(o.num_thread, cores) : cores;

/**
 * Sequences a reranker's context (rank pooling) packs into one decode. Each document is its own sequence and
 * documents are short, so the slot count (4 by default) would leave most of a batch empty: 16 documents of
 * 30 tokens per decode scored 2.5× faster than 4 on a loaded 2-core VM (fewer thread barriers per document),
 * and as fast single-threaded. n_batch still bounds the tokens of a decode.
 */
export const RANK_SEQUENCES = 64;

/** The context options for model `m` loaded with `o`. */
export function contextOptions(o: LoadOptions, m: Model): ContextOptions {
  const base = {
    nCtx: contextSize(o),
    nThreads: contextThreads(o),
    flashAttention: o.flash_attention ? true : ("auto" as const),
    kvType: o.kv_cache_type,
  };
  if (o.embedding) {
    const pooling = m.meta(`${m.meta("general.architecture")}.pooling_type`);
    const rank = pooling === "4"; // LLAMA_POOLING_TYPE_RANK
    return {
      ...base,
      nBatch: contextSize(o),
      nUbatch: contextSize(o),
      // Never more sequences than n_batch rows (llama.cpp reserves an output row per sequence).
      nSeqMax: rank ? Math.max(o.num_parallel, Math.min(RANK_SEQUENCES, contextSize(o))) : o.num_parallel,
      embeddings: true,
      pooling: pooling !== null ? undefined : ("mean" as const),
      kvUnified: true,
    };
  }
  // Between two decode steps the engine samples and writes the step's records: the pool's threads keep
  // spinning through that gap instead of going to sleep and being woken (up to 8% more tokens/s at one
  // stream on a 2-core VM, bench/runner-vs-llama-server.ts; llama.cpp's tools default to 50). Once the engine
  // goes idle it parks them (Context.parkThreads), so an idle runner does not spin. With layers on RPC servers
  // a step is mostly waits on the network, and spinning through them took the CPU those servers needed: 3
  // loopback rpc-servers on 2 cores decoded at 4.2 tokens/s polling, 19.5 sleeping (bench/rpc-split.ts).
  const threadPoll = o.rpc_servers?.length ? 0 : 100;
  return { ...base, nBatch: contextBatch(o), nSeqMax: o.num_parallel, kvUnified: true, threadPoll };
}
