/**
 * Speculative-decoding options as Ollama-style options: Ollama's `draft_num_predict` (most tokens drafted
 * per step; 0 = off) plus tsllm's `draft` ("off" | "ngram" | "model") and `draft_min` (fewer drafted tokens
 * are not verified), from a Modelfile PARAMETER or a request's options, mapped onto the runner's
 * `speculative` request field.
 */
import { InvalidInputError } from "../errors.ts";
import type { Speculative } from "../runner/protocol.ts";

/** Option names that configure speculative decoding (they never reach the sampler). */
export const DRAFT_KEYS: ReadonlySet<string> = new Set(["draft", "draft_num_predict", "draft_min"]);

const MODES = new Set(["off", "ngram", "model"]);

/** The runner's speculative settings for the merged draft options, or undefined when none was set. */
export function speculativeOptions(o: Record<string, unknown>): Speculative | undefined {
  const mode = o.draft;
  if (mode !== undefined && !MODES.has(mode as string))
    throw new InvalidInputError(
      `option "draft" must be "off", "ngram" or "model", got ${JSON.stringify(mode)}`,
    );
  const max = o.draft_num_predict as number | undefined;
  const min = o.draft_min as number | undefined;
  if (mode === undefined && max === undefined && min === undefined) return undefined;
  return {
    ...(mode !== undefined
      ? { type: mode as Speculative["type"] }
      : max === 0
        ? { type: "off" as const }
        : {}),
    ...(max !== undefined && max > 0 ? { n_max: max } : {}),
    ...(min !== undefined ? { n_min: min } : {}),
  };
}
