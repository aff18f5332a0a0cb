/**
 * "Endless" llama models: weights arranged so that no end-of-generation token can ever be sampled, for tests
 * that need a stream to run until something other than the model ends it (a drain, a cancel, a limit).
 *
 * Residual dimension 0 carries a constant: every token embedding holds `c` there and no layer writes to it
 * (row 0 of each attn_output and ffn_down is zero), so after the final RMS norm x[0] = c / rms(h) > 0 at
 * every position. Each end-of-generation token's output row is [-K, 0, …, 0], so its logit is
 * -K·x[0]: thousands below every other logit (std ~1), whatever the context or sampler settings.
 */
import type { GgufTypedValue } from "../value.ts";
import type { TensorPlan } from "./presets.ts";

/** Token texts llama.cpp treats as end of generation on sight (llama-vocab.cpp, special_eog_ids). */
const EOG_TEXTS = new Set([
  "</s>",
  "<|eot_id|>",
  "<|eom_id|>",
  "<|im_end|>",
  "<|end|>",
  "<|endoftext|>",
  "<|end_of_text|>",
  "<end_of_turn>",
  "<EOT>",
  "_<EOT>",
  "<eos>",
]);

/** Metadata keys whose token id llama.cpp adds to its end-of-generation set. */
const EOG_KEYS = [
  "tokenizer.ggml.eos_token_id",
  "tokenizer.ggml.eot_token_id",
  "tokenizer.ggml.eom_token_id",
];

/** How far below zero each end-of-generation row pushes its logit, per unit of x[0]. */
const EOG_WEIGHT = -1e4;

/** Ids of every token of `vocab` (tokenizer.* metadata) that could end a generation. */
export function eogTokenIds(vocab: Record<string, GgufTypedValue>): Set<number> {
  const ids = new Set<number>();
  for (const key of EOG_KEYS) {
    const v = vocab[key]?.value;
    if (typeof v === "number") ids.add(v);
  }
  const tokens = vocab["tokenizer.ggml.tokens"]?.value;
  if (Array.isArray(tokens)) tokens.forEach((t, id) => EOG_TEXTS.has(t as string) && ids.add(id));
  return ids;
}

/** `plan` (a llama plan) with the patches that keep `eog` tokens from ever being sampled. */
export function endlessPlan(plan: readonly TensorPlan[], eog: ReadonlySet<number>): TensorPlan[] {
  return plan.map((t) => {
    const ne0 = t.shape[0] ?? 1;
    if (t.name === "token_embd.weight") {
      const c = t.std;
      return {
        ...t,
        patch: (v) => {
          for (let i = 0; i < v.length; i += ne0) v[i] = c;
        },
      };
    }
    if (/^blk\.\d+\.(attn_output|ffn_down)\.weight$/.test(t.name)) {
      return {
        ...t,
        patch: (v, first) => {
          if (first === 0) v.fill(0, 0, ne0);
        },
      };
    }
    if (t.name === "output.weight") {
      return {
        ...t,
        patch: (v, first) =>
          forRows(v, ne0, (row, i) => {
            if (!eog.has(first + i)) return;
            row.fill(0);
            row[0] = EOG_WEIGHT;
          }),
      };
    }
    return t;
  });
}

function forRows(v: Float32Array, ne0: number, f: (row: Float32Array, i: number) => void): void {
  for (let i = 0; i * ne0 < v.length; i++) f(v.subarray(i * ne0, (i + 1) * ne0), i);
}
