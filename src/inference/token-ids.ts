/**
 * Token ids a client sends (generate's `context`, detokenize's `tokens`, logit_bias keys) checked against the
 * model's vocabulary before any runner sees them: libllama indexes its tables with them unchecked, so one id
 * past the end aborts the runner and every stream on it. The runner checks again (defence in depth).
 */
import type { GgufFile } from "../gguf/reader.ts";
import { TokenOutOfRangeError } from "../llama/engine/errors.ts";

/** Tokens in the model's vocabulary (the length of tokenizer.ggml.tokens), 0 when the file lists none. */
export function vocabSize(gguf: GgufFile): number {
  const tokens = gguf.metadata["tokenizer.ggml.tokens"];
  return Array.isArray(tokens) ? tokens.length : 0;
}

/** Throws TokenOutOfRangeError (400) for the first id not in [0, nVocab); a vocabulary of 0 is left to the runner. */
export function checkTokenIds(ids: Iterable<number>, nVocab: number): void {
  if (nVocab <= 0) return;
  for (const id of ids)
    if (!(Number.isInteger(id) && id >= 0 && id < nVocab)) throw new TokenOutOfRangeError(String(id), nVocab);
}

/** Checks the keys of a logit_bias map: each a decimal token id within the vocabulary. */
export function checkBiasIds(bias: Record<string, number> | undefined, nVocab: number): void {
  if (!bias || nVocab <= 0) return;
  for (const k of Object.keys(bias))
    if (!/^\d{1,10}$/.test(k) || Number(k) >= nVocab)
      throw new TokenOutOfRangeError(JSON.stringify(k), nVocab);
}
