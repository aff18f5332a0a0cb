import { gv } from "../typed.ts";
import { elementCount } from "../types.ts";
import type { GgufTypedValue } from "../value.ts";
import { type Qwen2VlPreset, qwen2vlMetadata, qwen2vlPlan } from "./qwen2vl.ts";
import { matrix, vector } from "./tensor-plans.ts";

/** Shape of a llama-architecture chat model. */
export interface LlamaPreset {
  arch: "llama";
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  nFf: number;
  contextLength: number;
}

/** Shape of a BERT-architecture embedding model, or with `rank` a cross-encoder reranker. */
export interface BertPreset {
  arch: "bert";
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nFf: number;
  contextLength: number;
  /** A classification head (`cls.*`) and rank pooling: a reranker scoring (query, document) pairs. */
  rank?: boolean;
}

/** A model shape. */
export type Preset = LlamaPreset | BertPreset | Qwen2VlPreset;

/** The named model shapes. */
export const PRESETS: Readonly<Record<string, Preset>> = {
  tiny: { arch: "llama", nEmbd: 128, nLayer: 2, nHead: 4, nHeadKv: 2, nFf: 256, contextLength: 4096 },
  small: { arch: "llama", nEmbd: 512, nLayer: 4, nHead: 8, nHeadKv: 4, nFf: 1408, contextLength: 4096 },
  "1b": { arch: "llama", nEmbd: 2048, nLayer: 16, nHead: 32, nHeadKv: 8, nFf: 5632, contextLength: 4096 },
  embed: { arch: "bert", nEmbd: 384, nLayer: 4, nHead: 6, nFf: 1536, contextLength: 512 },
  rerank: { arch: "bert", nEmbd: 384, nLayer: 4, nHead: 6, nFf: 1536, contextLength: 512, rank: true },
  /** Qwen2-VL's text model (M-RoPE), at the tiny preset's size: pairs with a qwen2vl_merger projector. */
  "tiny-vl": { arch: "qwen2vl", nEmbd: 128, nLayer: 2, nHead: 4, nHeadKv: 2, nFf: 256, contextLength: 4096 },
};

/** How one tensor is initialised and stored. */
export interface TensorPlan {
  name: string;
  shape: number[];
  /** "normal" draws N(0, std²); "ones"/"zeros" are constants (norm weights, biases). */
  init: "normal" | "ones" | "zeros";
  std: number;
  /** 2-D weight matrices take the model's quantization; everything else stays F32. */
  quantize: boolean;
  /** Rewrites generated values in place: `values` holds whole rows (of shape[0]) from row `firstRow` on. */
  patch?: (values: Float32Array, firstRow: number) => void;
}

function llamaPlan(p: LlamaPreset, nVocab: number): TensorPlan[] {
  const headDim = p.nEmbd / p.nHead;
  const kv = headDim * p.nHeadKv;
  const plan = [matrix("token_embd.weight", [p.nEmbd, nVocab])];
  for (let i = 0; i < p.nLayer; i++) {
    const b = `blk.${i}`;
    plan.push(
      vector(`${b}.attn_norm.weight`, p.nEmbd, "ones"),
      matrix(`${b}.attn_q.weight`, [p.nEmbd, p.nEmbd]),
      matrix(`${b}.attn_k.weight`, [p.nEmbd, kv]),
      matrix(`${b}.attn_v.weight`, [p.nEmbd, kv]),
      matrix(`${b}.attn_output.weight`, [p.nEmbd, p.nEmbd]),
      vector(`${b}.ffn_norm.weight`, p.nEmbd, "ones"),
      matrix(`${b}.ffn_gate.weight`, [p.nEmbd, p.nFf]),
      matrix(`${b}.ffn_up.weight`, [p.nEmbd, p.nFf]),
      matrix(`${b}.ffn_down.weight`, [p.nFf, p.nEmbd]),
    );
  }
  // The output projection reads an RMS-normalised state; 1/sqrt(n_embd) gives logits of std ~1 at
  // every size, so sampling sees a spread-out, non-degenerate distribution.
  plan.push(
    vector("output_norm.weight", p.nEmbd, "ones"),
    matrix("output.weight", [p.nEmbd, nVocab], 1 / Math.sqrt(p.nEmbd)),
  );
  return plan;
}

function bertPlan(p: BertPreset, nVocab: number, nTokenTypes: number): TensorPlan[] {
  const n = p.nEmbd;
  // token_types is added to the embeddings as a 1-D view of its first row, so it must stay F32.
  const plan = [
    matrix("token_embd.weight", [n, nVocab]),
    { ...matrix("token_types.weight", [n, nTokenTypes]), quantize: false },
    matrix("position_embd.weight", [n, p.contextLength]),
    vector("token_embd_norm.weight", n, "ones"),
    vector("token_embd_norm.bias", n, "zeros"),
  ];
  for (let i = 0; i < p.nLayer; i++) {
    const b = `blk.${i}`;
    for (const x of ["attn_q", "attn_k", "attn_v", "attn_output"]) {
      plan.push(matrix(`${b}.${x}.weight`, [n, n]), vector(`${b}.${x}.bias`, n, "zeros"));
    }
    plan.push(
      vector(`${b}.attn_output_norm.weight`, n, "ones"),
      vector(`${b}.attn_output_norm.bias`, n, "zeros"),
      matrix(`${b}.ffn_up.weight`, [n, p.nFf]),
      vector(`${b}.ffn_up.bias`, p.nFf, "zeros"),
      matrix(`${b}.ffn_down.weight`, [p.nFf, n]),
      vector(`${b}.ffn_down.bias`, n, "zeros"),
      vector(`${b}.layer_output_norm.weight`, n, "ones"),
      vector(`${b}.layer_output_norm.bias`, n, "zeros"),
    );
  }
  // A sequence-classification head with one label, as BGE/MiniLM rerankers have: dense + tanh over the CLS
  // row, then one output. 1/sqrt(n) spreads the scores (std ~0.4) so documents rank apart.
  if (p.rank)
    plan.push(
      matrix("cls.weight", [n, n]),
      vector("cls.bias", n, "zeros"),
      matrix("cls.output.weight", [n, 1], 1 / Math.sqrt(n)),
      vector("cls.output.bias", 1, "zeros"),
    );
  return plan;
}

/** Every tensor of a preset with a vocabulary of `nVocab` tokens, in file order. */
export function tensorPlan(p: Preset, nVocab: number, nTokenTypes = 2): TensorPlan[] {
  if (p.arch === "qwen2vl") return qwen2vlPlan(p, nVocab);
  return p.arch === "llama" ? llamaPlan(p, nVocab) : bertPlan(p, nVocab, nTokenTypes);
}

/** Total parameters of a plan. */
export function paramCount(plan: readonly TensorPlan[]): number {
  return plan.reduce((n, t) => n + elementCount(t.shape), 0);
}

/** Architecture hyper-parameters as llama.cpp reads them (`<arch>.*` keys). */
export function archMetadata(
  p: Preset,
  nVocab: number,
  pooling: "mean" | "cls",
): Record<string, GgufTypedValue> {
  if (p.arch === "qwen2vl") return qwen2vlMetadata(p, nVocab);
  const a = p.arch;
  const common = {
    [`${a}.context_length`]: gv.u32(p.contextLength),
    [`${a}.embedding_length`]: gv.u32(p.nEmbd),
    [`${a}.block_count`]: gv.u32(p.nLayer),
    [`${a}.feed_forward_length`]: gv.u32(p.nFf),
    [`${a}.attention.head_count`]: gv.u32(p.nHead),
  };
  if (p.arch === "bert") {
    return {
      ...common,
      "bert.attention.layer_norm_epsilon": gv.f32(1e-12),
      "bert.attention.causal": gv.bool(false),
      // llama.cpp's pooling types: 1 mean, 2 cls, 4 rank.
      "bert.pooling_type": gv.u32(p.rank ? 4 : pooling === "mean" ? 1 : 2),
    };
  }
  return {
    ...common,
    "llama.attention.head_count_kv": gv.u32(p.nHeadKv),
    "llama.rope.dimension_count": gv.u32(p.nEmbd / p.nHead),
    "llama.rope.freq_base": gv.f32(10000),
    "llama.attention.layer_norm_rms_epsilon": gv.f32(1e-5),
    "llama.vocab_size": gv.u32(nVocab),
  };
}
