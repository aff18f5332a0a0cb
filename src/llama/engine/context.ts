/** A llama_context: KV cache, decode/encode, logits, embeddings, sequence memory and state. */
import { addressOf, type Ptr, readFloats, SharedCell, viewFloats } from "../ffi/memory.ts";
import { native } from "../ffi/native.ts";
import { ContextParams, PerfContextData, StructView } from "../ffi/structs.ts";
import type { Batch } from "./batch.ts";
import { drainNativeLog } from "./backend.ts";
import {
  DecodeAbortedError,
  DecodeError,
  DisposedError,
  KvCacheFullError,
  ModelLoadError,
} from "./errors.ts";
import { lastError, type Model } from "./model.ts";
import { ThreadPool } from "./threadpool.ts";

/** ggml tensor types usable for the KV cache. */
export const KV_TYPES = { f32: 0, f16: 1, q4_0: 2, q8_0: 8 } as const;
/** Embedding pooling, as llama.cpp numbers it. */
export const POOLING = { unspecified: -1, none: 0, mean: 1, cls: 2, last: 3, rank: 4 } as const;

/** Context options; unset ones keep llama.cpp's defaults. */
export interface ContextOptions {
  nCtx: number;
  nBatch?: number;
  nUbatch?: number;
  nSeqMax?: number;
  nThreads?: number;
  nThreadsBatch?: number;
  embeddings?: boolean;
  pooling?: keyof typeof POOLING;
  flashAttention?: boolean | "auto";
  kvType?: keyof typeof KV_TYPES;
  kvUnified?: boolean;
  offloadKqv?: boolean;
  /**
   * Rows with outputs (logits) one decode may request, and per sequence. Generation needs one per sequence
   * (its next token); a small bound keeps the output buffer and the reserved graph small, as llama-server does.
   */
  maxOutputs?: number;
  maxOutputsPerSeq?: number;
  /** Attach a persistent CPU threadpool of nThreads threads (default true when nThreads is set). */
  threadPool?: boolean;
  /**
   * How long the pool's threads spin waiting for the next graph before sleeping: ggml's polling level,
   * 0 (sleep at once) to 100; 50 by default, as llama.cpp's tools.
   */
  threadPoll?: number;
}

/** Owner of one llama_context; dispose it before its Model. */
export class Context {
  #ptr: Ptr | null;
  readonly model: Model;
  readonly nCtx: number;
  readonly nBatch: number;
  readonly nSeqMax: number;
  readonly nVocab: number;
  readonly #mem: Ptr;
  #pool: ThreadPool | null = null;
  /** Set its flag to abort the running decode between graph nodes. */
  readonly abort = new SharedCell();
  /** Native log of context creation (KV and compute buffer sizes). */
  readonly initLog: string;

  constructor(model: Model, opts: ContextOptions) {
    const { shim, llama } = native();
    const p = new StructView(ContextParams);
    shim.tsllm_context_default_params(addressOf(p.bytes));
    p.set("n_ctx", opts.nCtx).set("n_seq_max", opts.nSeqMax ?? 1);
    if (opts.nBatch) p.set("n_batch", opts.nBatch);
    if (opts.nUbatch) p.set("n_ubatch", opts.nUbatch);
    if (opts.nThreads)
      p.set("n_threads", opts.nThreads).set("n_threads_batch", opts.nThreadsBatch ?? opts.nThreads);
    if (opts.embeddings !== undefined) p.set("embeddings", opts.embeddings);
    if (opts.pooling) p.set("pooling_type", POOLING[opts.pooling]);
    if (opts.flashAttention !== undefined && opts.flashAttention !== "auto")
      p.set("flash_attn_type", opts.flashAttention ? 1 : 0);
    if (opts.kvType) p.set("type_k", KV_TYPES[opts.kvType]).set("type_v", KV_TYPES[opts.kvType]);
    if (opts.kvUnified !== undefined) p.set("kv_unified", opts.kvUnified);
    if (opts.offloadKqv !== undefined) p.set("offload_kqv", opts.offloadKqv);
    if (opts.maxOutputs) p.set("n_outputs_max", opts.maxOutputs);
    if (opts.maxOutputsPerSeq) p.set("n_outputs_max_per_seq", opts.maxOutputsPerSeq);
    p.set("no_perf", false);
    p.set("abort_callback", shim.tsllm_abort_callback() as number).set(
      "abort_callback_data",
      this.abort.address + 4,
    );
    drainNativeLog();
    const ctx = shim.tsllm_init_from_model(model.handle, addressOf(p.bytes));
    this.initLog = drainNativeLog();
    if (!ctx) throw new ModelLoadError(`failed to create context: ${lastError(this.initLog)}`);
    this.#ptr = ctx;
    this.model = model;
    this.nCtx = llama.llama_n_ctx(ctx);
    this.nBatch = llama.llama_n_batch(ctx);
    this.nSeqMax = llama.llama_n_seq_max(ctx);
    this.nVocab = model.vocab.size;
    this.#mem = llama.llama_get_memory(ctx) as Ptr;
    if (opts.nThreads && opts.threadPool !== false) {
      this.#pool = new ThreadPool(opts.nThreads, opts.threadPoll);
      llama.llama_attach_threadpool(ctx, this.#pool.handle, null);
    }
  }

  /**
   * Puts the pool's threads to sleep while nothing is decoding; the next decode wakes them. After each
   * graph ggml's pool threads poll for the next one (131072 × poll rounds each) before sleeping: seconds of
   * CPU per idle spell with many threads on few cores, and still tenths of a second with one per core
   * (measured through /proc/<pid>/stat: 16 threads on 2 cores kept both busy ~4 s after every request).
   * The pool is paused, never freed while attached: the CPU backend keeps the last pool it ran and pauses
   * it when handed another, so a freed one would be written to after free.
   */
  parkThreads(): void {
    this.#pool?.pause();
  }

  /** @internal the native handle, for engine objects only. */
  get handle(): Ptr {
    if (!this.#ptr) throw new DisposedError("Context");
    return this.#ptr;
  }

  /** Runs the model over a batch. Throws KvCacheFullError, DecodeAbortedError or DecodeError. */
  decode(batch: Batch): void {
    const rc = native().shim.tsllm_decode(this.handle, addressOf(batch.structBytes()));
    if (rc === 0) return;
    if (rc === 1) throw new KvCacheFullError();
    if (rc === 2) throw new DecodeAbortedError();
    throw new DecodeError(rc);
  }

  /** Runs an encoder-only model (BERT) over a batch. */
  encode(batch: Batch): void {
    const rc = native().shim.tsllm_encode(this.handle, addressOf(batch.structBytes()));
    if (rc === 2) throw new DecodeAbortedError();
    if (rc !== 0) throw new DecodeError(rc, "llama_encode");
  }

  /** Zero-copy logits of batch row `i` (valid until the next decode). */
  logits(i: number): Float32Array {
    const p = native().llama.llama_get_logits_ith(this.handle, i);
    if (!p) throw new DecodeError(-1, `llama_get_logits_ith(${i})`);
    return viewFloats(p, this.nVocab);
  }

  /** The pooling this context applies (llama.cpp resolves "unspecified" to the model's own at creation). */
  get pooling(): number {
    return native().llama.llama_pooling_type(this.handle);
  }

  /**
   * Pooled output of a sequence (a copy), or null when pooling is none: n_embd floats, or with rank pooling
   * n_cls_out scores (llama.cpp keeps only that many per sequence: reading n_embd would run past them).
   */
  embeddingSeq(seq: number): Float32Array | null {
    const { llama } = native();
    const p = llama.llama_get_embeddings_seq(this.handle, seq);
    if (!p) return null;
    const width =
      this.pooling === POOLING.rank ? llama.llama_model_n_cls_out(this.model.handle) : this.model.nEmbd;
    return readFloats(p, width);
  }

  /** Embedding of batch row `i` (a copy). */
  embeddingIth(i: number): Float32Array | null {
    const p = native().llama.llama_get_embeddings_ith(this.handle, i);
    return p ? readFloats(p, this.model.nEmbd) : null;
  }

  /** Clears the whole KV cache. */
  clearMemory(): void {
    native().llama.llama_memory_clear(this.#mem, true);
  }
  /** Removes positions [p0, p1) of `seq` (-1 = open end); false if partial removal is unsupported. */
  seqRm(seq: number, p0: number, p1 = -1): boolean {
    return native().llama.llama_memory_seq_rm(this.#mem, seq, p0, p1);
  }
  /** Copies positions of `src` to `dst` (shares cells). */
  seqCp(src: number, dst: number, p0 = -1, p1 = -1): void {
    native().llama.llama_memory_seq_cp(this.#mem, src, dst, p0, p1);
  }
  /** Drops every sequence but `seq`. */
  seqKeep(seq: number): void {
    native().llama.llama_memory_seq_keep(this.#mem, seq);
  }
  /** Shifts positions [p0, p1) of `seq` by `delta`. */
  seqAdd(seq: number, p0: number, p1: number, delta: number): void {
    native().llama.llama_memory_seq_add(this.#mem, seq, p0, p1, delta);
  }
  /** Divides positions [p0, p1) of `seq` by `d`. */
  seqDiv(seq: number, p0: number, p1: number, d: number): void {
    native().llama.llama_memory_seq_div(this.#mem, seq, p0, p1, d);
  }
  /** Smallest position of `seq`, -1 if empty. */
  seqPosMin(seq: number): number {
    return native().llama.llama_memory_seq_pos_min(this.#mem, seq);
  }
  /** Largest position of `seq`, -1 if empty. */
  seqPosMax(seq: number): number {
    return native().llama.llama_memory_seq_pos_max(this.#mem, seq);
  }
  /** Whether positions can be shifted (context shift). */
  canShift(): boolean {
    return native().llama.llama_memory_can_shift(this.#mem);
  }

  /** Serialises one sequence's KV state. */
  saveSeq(seq: number): Uint8Array {
    const { llama } = native();
    const size = Number(llama.llama_state_seq_get_size(this.handle, seq));
    const buf = new Uint8Array(size);
    const n = Number(llama.llama_state_seq_get_data(this.handle, addressOf(buf), size, seq));
    return buf.subarray(0, n);
  }

  /** Restores a saved state into sequence `seq`; false on failure. */
  restoreSeq(state: Uint8Array, seq: number): boolean {
    const n = native().llama.llama_state_seq_set_data(this.handle, addressOf(state), state.length, seq);
    return Number(n) !== 0;
  }

  /** Changes thread counts for generation and prompt processing. */
  setThreads(n: number, nBatch = n): void {
    native().llama.llama_set_n_threads(this.handle, n, nBatch);
  }

  /** llama.cpp's own timing counters. */
  perf(): { promptMs: number; evalMs: number; promptTokens: number; evalTokens: number } {
    const v = new StructView(PerfContextData);
    native().shim.tsllm_perf_context(this.handle, addressOf(v.bytes));
    return {
      promptMs: v.get("t_p_eval_ms"),
      evalMs: v.get("t_eval_ms"),
      promptTokens: v.get("n_p_eval"),
      evalTokens: v.get("n_eval"),
    };
  }

  /** Frees the context. Idempotent. */
  dispose(): void {
    if (this.#ptr) {
      if (this.#pool) native().llama.llama_detach_threadpool(this.#ptr);
      native().llama.llama_free(this.#ptr);
    }
    this.#ptr = null;
    this.#pool?.dispose();
    this.#pool = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
