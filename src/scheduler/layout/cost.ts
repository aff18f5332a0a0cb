/**
 * Cost model: KV cache bytes per layer, compute-graph estimates, and the per-layer cost the layout packs.
 * The graph formulas follow the shape of Ollama's GraphSize for llama-like models (attention scores grow
 * with n_batch × n_ctx × heads, the output with n_batch × n_vocab); they are estimates, not measurements.
 */
import type { LoadOptions } from "../../runner/protocol.ts";
import type { ModelFacts } from "./facts.ts";

/** KV cache element type, as in LoadOptions. */
export type KvCacheType = LoadOptions["kv_cache_type"];

const BYTES_PER_ELEMENT: Record<KvCacheType, number> = {
  f32: 4,
  f16: 2,
  q8_0: 34 / 32, // 32 int8 + one f16 scale per block
  q4_0: 18 / 32, // 32 nibbles + one f16 scale per block
};

/** Bytes one KV cache element takes for a cache type. */
export function kvBytesPerElement(type: KvCacheType): number {
  return BYTES_PER_ELEMENT[type];
}

/**
 * KV cache bytes of each block for `nCtx` cells. The cache is unified (DESIGN §5): parallel slots share
 * these cells, so the slot count does not multiply it.
 */
export function kvCacheBytes(facts: ModelFacts, nCtx: number, type: KvCacheType): number[] {
  const bpe = kvBytesPerElement(type);
  return facts.nHeadKvPerLayer.map((kvHeads) =>
    Math.ceil(nCtx * (facts.headDimK + facts.headDimV) * kvHeads * bpe),
  );
}

/** Estimated compute-buffer sizes in bytes. */
export interface GraphEstimate {
  /** Per GPU when every layer (and the output) is offloaded. */
  full: number;
  /** Per GPU when part of the model stays on the CPU. */
  partial: number;
  /** Host compute buffer when the CPU runs layers. */
  cpu: number;
  /** Host buffer when everything is offloaded (input embeddings only). */
  cpuInput: number;
  /** Host logits buffer: one row of n_vocab floats per parallel sequence. */
  logits: number;
}

/** Compute-graph estimate for a llama-like model at this context, batch and slot count. */
export function graphSize(
  facts: ModelFacts,
  nCtx: number,
  nBatch: number,
  numParallel: number,
): GraphEstimate {
  const embd = facts.nEmbd;
  const heads = facts.nHead;
  const headsKv = facts.nHeadKv;
  const headDim = Math.max(facts.headDimK, facts.headDimV);
  const vocab = facts.nVocab;
  const batch = nBatch;
  const ctx = nCtx;

  const outputGraph = 4 * batch * (embd + vocab);
  const full = Math.max(4 * batch * (1 + 4 * embd + ctx * (1 + heads)), outputGraph);
  const partial =
    4 * batch * embd +
    Math.max(
      4 * batch * (1 + embd + Math.max(ctx, embd)) +
        Math.floor((embd * embd * 9) / 16) +
        4 * ctx * (batch * heads + headDim * headsKv),
      outputGraph + Math.floor((embd * vocab * 105) / 128),
    );
  return {
    full,
    partial,
    cpu: full,
    cpuInput: 4 * batch * embd,
    logits: 4 * vocab * Math.max(1, numParallel),
  };
}

/** Bytes of each layer the layout places: blocks 0…n-1, then the output layer at index n. */
export interface LayerCosts {
  weights: number[];
  kv: number[];
  /** weights + kv, what a device must hold to take the layer. */
  total: number[];
}

/** Per-layer cost (weights + KV); the output head is the last entry and has no cache. */
export function layerCosts(facts: ModelFacts, nCtx: number, type: KvCacheType): LayerCosts {
  const kv = [...kvCacheBytes(facts, nCtx, type), 0];
  const weights = [...facts.layerBytes, facts.outputBytes];
  const total = weights.map((w, i) => w + (kv[i] ?? 0));
  return { weights, kv, total };
}
