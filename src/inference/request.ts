/** Checks and steps generate and chat share: think/logprobs validation, load-only and unload requests. */
import { InvalidInputError } from "../errors.ts";
import type { CompletionRequest } from "../runner/protocol.ts";
import type { CompletionResult } from "./completion.ts";
import type { InferenceDeps } from "./deps.ts";
import { CapabilityError } from "./errors.ts";
import { formatToGrammar } from "./grammar/format.ts";
import { keepAliveMs } from "./keep-alive.ts";
import type { ResolvedModel } from "./model.ts";
import { mergeOptions, type SplitOptions } from "./options.ts";
import { schedule } from "./schedule.ts";

/** Fields generate and chat have in common. */
export interface CommonInput {
  model: string;
  format?: unknown;
  options?: Record<string, unknown>;
  keep_alive?: unknown;
  think?: unknown;
  shift?: boolean;
  logprobs?: boolean;
  top_logprobs?: number;
  /** Token id (as a decimal string) → additive logit bias; -100 or less bans the token (OpenAI's logit_bias). */
  logitBias?: Record<string, number>;
}

/** Everything decided about a request before a runner is needed. */
export interface Prepared {
  options: SplitOptions;
  keepAliveMs: number | undefined;
  grammar: string | undefined;
}

const THINK_LEVELS = new Set(["low", "medium", "high", "max"]);

/** Validates the shared fields against the model (400s) and computes options, keep-alive and grammar. */
export function prepare(deps: InferenceDeps, m: ResolvedModel, input: CommonInput, op: string): Prepared {
  if (!m.capabilities.includes("completion")) throw new CapabilityError(m.name, op);
  const think = input.think;
  if (think !== undefined && think !== null && typeof think !== "boolean") {
    if (typeof think !== "string" || !THINK_LEVELS.has(think))
      throw new InvalidInputError(`invalid think value: ${JSON.stringify(think)}`);
  }
  if (think && !m.capabilities.includes("thinking")) throw new CapabilityError(m.name, "thinking");
  const top = input.top_logprobs;
  if (top !== undefined && (top < 0 || top > 20))
    throw new InvalidInputError("top_logprobs must be between 0 and 20");
  return {
    options: mergeOptions(m.stored.params, input.options, deps.logger),
    keepAliveMs: keepAliveMs(input.keep_alive),
    grammar: formatToGrammar(input.format),
  };
}

/** An empty prompt/messages: unload with keep_alive 0, else just load the model. */
export async function lifecycle(
  deps: InferenceDeps,
  m: ResolvedModel,
  p: Prepared,
  signal?: AbortSignal,
): Promise<CompletionResult> {
  if (p.keepAliveMs === 0) {
    await deps.scheduler.unload(m.path);
    return { kind: "lifecycle", model: m.name, reason: "unload" };
  }
  const { lease } = await schedule(deps, m, p.options.load, {
    embedding: false,
    keepAliveMs: p.keepAliveMs,
    signal,
  });
  lease.release();
  return { kind: "lifecycle", model: m.name, reason: "load" };
}

/** The runner request for a prompt (text the runner tokenizes, or token ids). */
export function runnerRequest(prompt: string | number[], p: Prepared, input: CommonInput): CompletionRequest {
  return {
    prompt,
    options: p.options.sampling,
    ...(p.grammar ? { grammar: p.grammar } : {}),
    ...(input.shift === false ? { shift: false } : {}),
    ...(input.logprobs ? { logprobs: input.top_logprobs ?? 0 } : {}),
    ...(input.logitBias && Object.keys(input.logitBias).length ? { logit_bias: input.logitBias } : {}),
  };
}
