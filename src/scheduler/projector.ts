/** A vision projector in the memory plan: its weights load with the model, so they count with it. */
import { statSync } from "node:fs";
import type { ModelFacts } from "./layout/facts.ts";

/**
 * `facts` with the projector file's weights added to the output layer's: libmtmd puts the projector on the
 * GPU whenever the model offloads layers, as the plan does with the output layer first, and in host memory
 * otherwise. A projector that cannot be read adds nothing (its load fails with the real cause).
 */
export function withProjector(facts: ModelFacts, projector: string | undefined): ModelFacts {
  if (!projector) return facts;
  let bytes = 0;
  try {
    bytes = statSync(projector).size;
  } catch {
    return facts;
  }
  return { ...facts, outputBytes: facts.outputBytes + bytes };
}
