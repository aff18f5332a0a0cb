/** Checks and steps generate and chat share: think/logprobs validation, load-only and unload requests. */
import { InvalidInputError } from "../errors.ts";
import type { CompletionRequest } from "../runner/protocol.ts";
import { THINK_LEVELS, type Think, thinkEnabled } from "../templates/index.ts";
import type { CompletionResult } from "./completion.ts";
import type { InferenceDeps } from "./deps.ts";
import { CapabilityError } from "./errors.ts";
import { formatToGrammar } from "./grammar/format.ts";
import { keepAliveMs } from "./keep-alive.ts";
import type { ResolvedModel } from "./model.ts";
import { mergeOptions, type SplitOptions } from "./options.ts";
import { schedule } from "./schedule.ts";
import { templateIsHarmony } from "./template.ts";
import { checkBiasIds, vocabSize } from "./token-ids.ts";

/** Fields generate and chat have in common. */
export interface CommonInput {
  model: string;
  format?: unknown;
  options?: Record<string, unknown>;
  keep_alive?: unknown;
  /** true/false or "low" | "medium" | "high" | "max" (any other value is a 400); unset: the model's default. */
  think?: unknown;
  /**
   * A model that cannot think ignores `think` instead of answering 400 (Ollama relaxes it so for the
   * Anthropic API, whose clients send thinking settings whatever the model).
   */
  relaxThink?: boolean;
  shift?: boolean;
  logprobs?: boolean;
  top_logprobs?: number;
  /** Token id (as a decimal string) → additive logit bias; -100 or less bans the token (OpenAI's logit_bias). */
  logitBias?: Record<string, number>;
  /**
   * The client reads the answer only at its end (stream: false): the runner may batch its pieces (see
   * HOLD_MS); events then carry several tokens each, and the first still comes as soon as it is generated.
   */
  unwatched?: boolean;
}

/** How long the runner may hold an unwatched answer's pieces before sending them as one. */
export const HOLD_MS = 100;

/** Everything decided about a request before a runner is needed. */
export interface Prepared {
  options: SplitOptions;
  keepAliveMs: number | undefined;
  grammar: string | undefined;
  /** `think` resolved for this model: what the template sees and how output is split. */
  think: Think;
}

const LEVELS: ReadonlySet<unknown> = new Set(THINK_LEVELS);
const LEVEL_LIST = '"high", "medium", "low", "max", true, or false';

/** Ollama's ThinkValue decoding: a boolean, a level, or null/absent for unset. */
export function parseThink(v: unknown): Think {
  if (v === undefined || v === null || typeof v === "boolean") return v ?? undefined;
  if (typeof v !== "string") throw new InvalidInputError(`think must be a boolean or string (${LEVEL_LIST})`);
  if (!LEVELS.has(v))
    throw new InvalidInputError(`invalid think value: ${JSON.stringify(v)} (must be ${LEVEL_LIST})`);
  return v as Think;
}

/**
 * `think` for this model, as Ollama's handlers settle it: asking a model that cannot think to think is a
 * 400, while `false` is accepted; unset means on for a model that can think; harmony (gpt-oss) templates
 * know no "max", which becomes "high".
 */
export function resolveThink(m: ResolvedModel, asked: unknown, relax = false): Think {
  const think = parseThink(asked);
  if (!m.capabilities.includes("thinking")) {
    if (!thinkEnabled(think)) return think;
    if (relax) return undefined;
    throw new CapabilityError(m.name, "thinking");
  }
  if (think === undefined) return true;
  return think === "max" && templateIsHarmony(m.template) ? "high" : think;
}

/** Validates the shared fields against the model (400s) and computes options, keep-alive and grammar. */
export function prepare(deps: InferenceDeps, m: ResolvedModel, input: CommonInput, op: string): Prepared {
  // Ollama settles think before scheduling, so its 400 comes before "does not support chat".
  const think = resolveThink(m, input.think, input.relaxThink);
  if (!m.capabilities.includes("completion")) throw new CapabilityError(m.name, op);
  const top = input.top_logprobs;
  if (top !== undefined && (top < 0 || top > 20))
    throw new InvalidInputError("top_logprobs must be between 0 and 20");
  checkBiasIds(input.logitBias, vocabSize(m.gguf));
  return {
    options: mergeOptions(m.stored.params, input.options, deps.logger),
    keepAliveMs: keepAliveMs(input.keep_alive),
    grammar: formatToGrammar(input.format),
    think,
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
    ...(p.options.speculative ? { speculative: p.options.speculative } : {}),
    ...(p.grammar ? { grammar: p.grammar } : {}),
    ...(input.shift === false ? { shift: false } : {}),
    ...(input.logprobs ? { logprobs: input.top_logprobs ?? 0 } : {}),
    ...(input.logitBias && Object.keys(input.logitBias).length ? { logit_bias: input.logitBias } : {}),
    ...(input.unwatched ? { hold_ms: HOLD_MS } : {}),
  };
}
