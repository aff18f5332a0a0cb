/** Hand-made ModelFacts for tests and benchmarks of the planner and the scheduler. */
import type { ModelFacts } from "./facts.ts";

const MiB = 1024 * 1024;

/** A llama-like model with uniform blocks; every field can be overridden. Sizes default to small MiB values. */
export function syntheticFacts(over: Partial<ModelFacts> & { blockBytes?: number } = {}): ModelFacts {
  const nLayer = over.nLayer ?? 8;
  const nHeadKv = over.nHeadKv ?? 1;
  const { blockBytes, ...rest } = over;
  return {
    architecture: "llama",
    fileType: 1,
    nEmbd: 256,
    nHead: 4,
    headDimK: 64,
    headDimV: 64,
    nCtxTrain: 131072,
    nVocab: 1000,
    tokenEmbdBytes: 50 * MiB,
    outputBytes: 50 * MiB,
    parameterCount: 0,
    embeddingOnly: false,
    ...rest,
    nLayer,
    nHeadKv,
    nHeadKvPerLayer: over.nHeadKvPerLayer ?? new Array(nLayer).fill(nHeadKv),
    layerBytes: over.layerBytes ?? new Array(nLayer).fill(blockBytes ?? 100 * MiB),
  };
}
