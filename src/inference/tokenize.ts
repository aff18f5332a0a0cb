/** /api/tokenize and /api/detokenize through the model's runner (its real vocabulary). */
import type { Runner } from "../runner/types.ts";
import type { InferenceDeps } from "./deps.ts";
import { keepAliveMs } from "./keep-alive.ts";
import { resolveModel } from "./model.ts";
import { mergeOptions } from "./options.ts";
import { schedule } from "./schedule.ts";
import { checkTokenIds, vocabSize } from "./token-ids.ts";

/** Shared fields of the two requests. */
export interface TokenizerInput {
  model?: string;
  keep_alive?: unknown;
  options?: Record<string, unknown>;
}

async function withRunner<T>(
  deps: InferenceDeps,
  input: TokenizerInput & { tokens?: number[] },
  signal: AbortSignal | undefined,
  fn: (r: Runner) => Promise<T>,
): Promise<T> {
  const m = await resolveModel(deps, input.model, "tokenize");
  if (input.tokens) checkTokenIds(input.tokens, vocabSize(m.gguf));
  const opts = mergeOptions(m.stored.params, input.options, deps.logger);
  const { lease } = await schedule(deps, m, opts.load, {
    embedding: m.capabilities.includes("embedding"),
    keepAliveMs: keepAliveMs(input.keep_alive),
    signal,
  });
  try {
    return await fn(lease.runner);
  } finally {
    lease.release();
  }
}

/** Token ids of `text` (special tokens parsed, BOS added as the model wants). */
export async function tokenize(
  deps: InferenceDeps,
  input: TokenizerInput & { text: string },
  signal?: AbortSignal,
): Promise<{ model: string; tokens: number[] }> {
  const tokens = await withRunner(deps, input, signal, (r) =>
    r.tokenize(input.text, { addSpecial: true, parseSpecial: true }),
  );
  return { model: input.model ?? "", tokens };
}

/** The text of token ids. */
export async function detokenize(
  deps: InferenceDeps,
  input: TokenizerInput & { tokens: number[] },
  signal?: AbortSignal,
): Promise<{ model: string; text: string }> {
  const text = await withRunner(deps, input, signal, (r) => r.detokenize(input.tokens));
  return { model: input.model ?? "", text };
}
