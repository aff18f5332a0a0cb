/** A draft model (speculative decoding) in the memory plan: it loads beside the model, so it counts with it. */
import { statSync } from "node:fs";
import type { ModelFacts } from "./layout/facts.ts";

/**
 * `facts` with the draft model's file size added to the output layer's: the runner puts the draft on the GPU
 * when the model is fully offloaded (as the plan does with the output layer first), in host memory otherwise;
 * its own KV cache is small beside its weights for the draft models that pay off (a tenth of the target or
 * less). A draft that cannot be read adds nothing (its load fails with the real cause).
 */
export function withDraft(facts: ModelFacts, draft: string | undefined): ModelFacts {
  if (!draft) return facts;
  try {
    return { ...facts, outputBytes: facts.outputBytes + statSync(draft).size };
  } catch {
    return facts;
  }
}
