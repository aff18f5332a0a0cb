/** Length of the common prefix of two token sequences. */
export function commonPrefix(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * Fits a prompt into `nCtx` tokens the way Ollama's runner does: keep the first `numKeep` tokens and the
 * most recent ones, dropping from just after the kept head. Leaves room for at least one generated token.
 */
export function truncatePrompt(tokens: number[], nCtx: number, numKeep: number): number[] {
  const limit = nCtx - 1;
  if (tokens.length <= limit) return tokens;
  const keep = Math.max(0, Math.min(numKeep, limit - 1));
  const tail = limit - keep;
  return [...tokens.slice(0, keep), ...tokens.slice(tokens.length - tail)];
}
