/** Log-probabilities of the sampled token and the top-N alternatives, from one row of raw logits. */
export interface TokenLogprobs {
  id: number;
  logprob: number;
  top: { id: number; logprob: number }[];
}

/** Computes log-softmax values for `chosen` and the `n` most likely tokens. */
export function logprobsOf(logits: Float32Array, chosen: number, n: number): TokenLogprobs {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if ((logits[i] as number) > max) max = logits[i] as number;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp((logits[i] as number) - max);
  const logZ = max + Math.log(sum);
  const top: { id: number; logprob: number }[] = [];
  if (n > 0) {
    // Partial selection: keep the n best seen so far.
    for (let i = 0; i < logits.length; i++) {
      const v = logits[i] as number;
      if (top.length < n || v > (top[top.length - 1] as { logprob: number }).logprob) {
        top.push({ id: i, logprob: v });
        top.sort((a, b) => b.logprob - a.logprob);
        if (top.length > n) top.pop();
      }
    }
    for (const t of top) t.logprob -= logZ;
  }
  return { id: chosen, logprob: (logits[chosen] as number) - logZ, top };
}
