/**
 * The few numbers the memory planner needs from a model, read from a parsed GGUF (metadata + tensor table).
 * Pure: the caller parses the file; this only interprets it.
 */

import { InvalidModelFileError } from "../../gguf/errors.ts";
import type { GgufTensorInfo } from "../../gguf/reader.ts";
import { blockCount } from "../../gguf/validate-hparams.ts";

/** One tensor as listed in a GGUF tensor table (the reader's own type). */
export type { GgufTensorInfo };

/** The parts of a parsed GGUF file the planner reads. */
export interface GgufLike {
  metadata: Record<string, number | bigint | boolean | string | unknown[]>;
  tensors: GgufTensorInfo[];
}

/** Hyper-parameters and weight sizes of a model, as the planner sees it. */
export interface ModelFacts {
  architecture: string;
  /** `general.file_type` (llama_ftype), or null when absent. */
  fileType: number | null;
  /** Number of repeating blocks (`<arch>.block_count`). */
  nLayer: number;
  nEmbd: number;
  /** Attention heads (the maximum when the GGUF lists one per layer). */
  nHead: number;
  /** KV heads (the maximum when the GGUF lists one per layer). */
  nHeadKv: number;
  /** KV heads of each block; 0 for a block without an attention cache (e.g. recurrent). */
  nHeadKvPerLayer: number[];
  headDimK: number;
  headDimV: number;
  /** Trained context length (`<arch>.context_length`), 0 when unknown. */
  nCtxTrain: number;
  nVocab: number;
  /** Weight bytes of each block `blk.N.*`. */
  layerBytes: number[];
  /** Input embedding bytes (`token_embd.*` and other input tensors); always kept in host memory. */
  tokenEmbdBytes: number;
  /** Output head bytes (`output.weight` or the tied token_embd, `output_norm`, other non-block tensors). */
  outputBytes: number;
  /** Total number of weights. */
  parameterCount: number;
  /** True for embedding-only models (`<arch>.pooling_type` present): no LM head is built. */
  embeddingOnly: boolean;
}

type Meta = GgufLike["metadata"];

function num(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return undefined;
}

/** A scalar, or every element of an array value, as numbers (empty when absent). */
function nums(meta: Meta, key: string): number[] {
  const v = meta[key];
  if (Array.isArray(v)) return v.map((x) => num(x) ?? 0);
  const n = num(v);
  return n === undefined ? [] : [n];
}

function maxOf(xs: number[], fallback: number): number {
  // A loop, not Math.max(...xs): a spread of a very long array overflows the call stack.
  let m = xs.length === 0 ? fallback : -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/**
 * The block count per-layer arrays are sized by: absent means none (vocabulary-only files), anything else
 * must be within llama.cpp's limit, or the planner would allocate (and loop) on a number a file made up.
 */
function layerCount(meta: Meta, arch: string): number {
  if (meta[`${arch}.block_count`] === undefined) return 0;
  const b = blockCount(meta, arch);
  if (b.problem !== undefined) throw new InvalidModelFileError([b.problem]);
  return b.count;
}

const INPUT_PREFIXES = ["token_embd.", "token_types.", "position_embd.", "token_embd_norm."];

/** Reads the planner's facts from a parsed GGUF. */
export function modelFactsFromGguf(file: GgufLike): ModelFacts {
  const meta = file.metadata;
  const arch = typeof meta["general.architecture"] === "string" ? meta["general.architecture"] : "llama";
  const key = (k: string) => `${arch}.${k}`;

  const nLayer = layerCount(meta, arch);
  const nEmbd = num(meta[key("embedding_length")]) ?? 0;
  const nHead = maxOf(nums(meta, key("attention.head_count")), 0);
  const kvList = nums(meta, key("attention.head_count_kv"));
  const nHeadKv = maxOf(kvList, nHead);
  const perLayer = Array.isArray(meta[key("attention.head_count_kv")]);
  const nHeadKvPerLayer = Array.from({ length: nLayer }, (_, i) => (perLayer ? (kvList[i] ?? 0) : nHeadKv));
  const defaultHeadDim = nHead > 0 ? Math.floor(nEmbd / nHead) : 0;
  const headDimK = num(meta[key("attention.key_length")]) ?? defaultHeadDim;
  const headDimV = num(meta[key("attention.value_length")]) ?? defaultHeadDim;

  const layerBytes = new Array<number>(nLayer).fill(0);
  let tokenEmbdBytes = 0;
  let tokenEmbdVocab = 0;
  let outputBytes = 0;
  let hasOutput = false;
  let parameterCount = 0;
  for (const t of file.tensors) {
    parameterCount += t.shape.reduce((a, b) => a * b, 1);
    const m = /^blk\.(\d+)\./.exec(t.name);
    if (m) {
      const i = Number(m[1]);
      if (i < nLayer) layerBytes[i] = (layerBytes[i] ?? 0) + t.byteSize;
      else outputBytes += t.byteSize;
      continue;
    }
    if (INPUT_PREFIXES.some((p) => t.name.startsWith(p))) {
      tokenEmbdBytes += t.byteSize;
      if (t.name === "token_embd.weight") tokenEmbdVocab = t.shape[1] ?? 0;
      continue;
    }
    if (t.name === "output.weight") hasOutput = true;
    outputBytes += t.byteSize;
  }

  const embeddingOnly = meta[key("pooling_type")] !== undefined;
  // Without output.weight llama.cpp builds the head from a second copy of token_embd on the output device.
  if (!hasOutput && !embeddingOnly) {
    outputBytes += file.tensors.find((t) => t.name === "token_embd.weight")?.byteSize ?? 0;
  }

  const tokens = meta["tokenizer.ggml.tokens"];
  const nVocab = Array.isArray(tokens) ? tokens.length : (num(meta[key("vocab_size")]) ?? tokenEmbdVocab);

  return {
    architecture: arch,
    fileType: num(meta["general.file_type"]) ?? null,
    nLayer,
    nEmbd,
    nHead,
    nHeadKv,
    nHeadKvPerLayer,
    headDimK,
    headDimV,
    nCtxTrain: num(meta[key("context_length")]) ?? 0,
    nVocab,
    layerBytes,
    tokenEmbdBytes,
    outputBytes,
    parameterCount,
    embeddingOnly,
  };
}
