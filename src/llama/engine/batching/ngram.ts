/**
 * Prompt-lookup (n-gram) drafting: the tokens that followed the latest earlier occurrence of the sequence's
 * last few tokens are proposed as its continuation. It costs no model, and pays off wherever the output
 * repeats its input (code edits, quoting, summaries that copy names, JSON echoing keys).
 */

/** Longest and shortest suffix looked up; a longer match is tried first (it predicts better). */
export const NGRAM_MAX = 4;
export const NGRAM_MIN = 2;

/**
 * Up to `max` tokens continuing `history` (the sequence so far, its last token included), copied from after
 * the most recent earlier occurrence of its last NGRAM_MAX..NGRAM_MIN tokens; empty when none occurs.
 */
export function ngramDraft(history: readonly number[], max: number): number[] {
  const len = history.length;
  if (max <= 0) return [];
  for (let n = Math.min(NGRAM_MAX, len - 1); n >= NGRAM_MIN; n--) {
    const at = lastOccurrence(history, n);
    if (at < 0) continue;
    const from = at + n;
    const draft = history.slice(from, Math.min(len, from + max)) as number[];
    // An image's entries hold negative placeholders, never tokens to decode: the draft ends before one.
    const image = draft.findIndex((t) => t < 0);
    return image < 0 ? draft : draft.slice(0, image);
  }
  return [];
}

/** Start of the latest occurrence of the last `n` tokens that ends before the sequence's end, or -1. */
function lastOccurrence(h: readonly number[], n: number): number {
  const len = h.length;
  const last = h[len - 1];
  // Candidates end at j (their last token equals the sequence's last), scanning back from the end.
  for (let j = len - 2; j >= n - 1; j--) {
    if (h[j] !== last) continue;
    let k = 1;
    while (k < n && h[j - k] === h[len - 1 - k]) k++;
    if (k === n) return j - n + 1;
  }
  return -1;
}
