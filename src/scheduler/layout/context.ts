/** Default context length when neither the request nor the Modelfile sets num_ctx. */

const GiB = 1024 ** 3;

/** Inputs of defaultContextLength; memory in bytes. */
export interface ContextDefaultInput {
  /** Σ over GPUs of total memory (0 on CPU-only machines). */
  totalVram: number;
  /** TSLLM_CONTEXT_LENGTH; 0 or less = unset. */
  envContextLength: number;
  /** The model's trained context (`<arch>.context_length`); 0 = unknown. */
  nCtxTrain: number;
}

/**
 * TSLLM_CONTEXT_LENGTH if set, else by total VRAM as Ollama does: ≥ 47 GiB → 262144, ≥ 23 GiB → 32768,
 * else 4096 (documented as 48/24 GiB; the code uses slightly lower cut-offs so a "24 GiB" card that reports a
 * little less still counts). Always capped at the trained context.
 */
export function defaultContextLength(input: ContextDefaultInput): number {
  let n: number;
  if (input.envContextLength > 0) n = input.envContextLength;
  else if (input.totalVram >= 47 * GiB) n = 262144;
  else if (input.totalVram >= 23 * GiB) n = 32768;
  else n = 4096;
  return input.nCtxTrain > 0 ? Math.min(n, input.nCtxTrain) : n;
}
