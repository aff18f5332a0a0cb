/** Small helpers the benchmark scripts share. */

/** The middle value (the upper one of the two for an even count). */
export function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
}

/** The p-quantile (0–1) by nearest rank below. */
export function percentile(xs: number[], p: number): number {
  return [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)] as number;
}

/** A seeded linear congruential generator of 31-bit values: the same inputs on every run and machine. */
export function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s;
  };
}
