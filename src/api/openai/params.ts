/**
 * OpenAI request fields → the service's inputs, as Ollama maps them: sampling fields become Ollama option
 * names (temperature and top_p default to OpenAI's 1 when absent, as Ollama's compatibility layer does),
 * reasoning effort becomes `think`, logit_bias is checked and passed on. Ollama options the OpenAI API has
 * no field for (num_ctx, top_k, repeat_penalty, …) come through the extra body field `options`; an
 * OpenAI field wins over the same option there.
 */
import { t } from "elysia";
import { OpenAIParamError } from "./errors.ts";

/** Sampling fields the chat, completions and responses requests share (each optional). */
export const SamplingFields = {
  temperature: t.Optional(t.Number()),
  top_p: t.Optional(t.Number()),
  seed: t.Optional(t.Integer()),
  stop: t.Optional(t.Union([t.String(), t.Array(t.String())])),
  presence_penalty: t.Optional(t.Number()),
  frequency_penalty: t.Optional(t.Number()),
  logit_bias: t.Optional(t.Record(t.String(), t.Number())),
  /** Extension: Ollama options by their Ollama names. */
  options: t.Optional(t.Record(t.String(), t.Unknown())),
  /** Extension: how long the model stays loaded (Ollama's keep_alive). */
  keep_alive: t.Optional(t.Union([t.String(), t.Number()])),
};

/** The values of SamplingFields. */
export interface Sampling {
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string | string[];
  presence_penalty?: number;
  frequency_penalty?: number;
  logit_bias?: Record<string, number>;
  options?: Record<string, unknown>;
  keep_alive?: string | number;
}

function inRange(param: string, v: number | undefined, min: number, max: number): void {
  if (v !== undefined && (v < min || v > max))
    throw new OpenAIParamError(
      param,
      `Invalid '${param}': ${v}; expected a number between ${min} and ${max}.`,
    );
}

/** Ollama options for a request; `maxTokens` becomes num_predict. Throws 400 naming a field out of range. */
export function ollamaOptions(r: Sampling, maxTokens?: { param: string; value: number | undefined }) {
  inRange("temperature", r.temperature, 0, 2);
  inRange("top_p", r.top_p, 0, 1);
  inRange("presence_penalty", r.presence_penalty, -2, 2);
  inRange("frequency_penalty", r.frequency_penalty, -2, 2);
  const o: Record<string, unknown> = { ...(r.options ?? {}) };
  o.temperature = r.temperature ?? o.temperature ?? 1;
  o.top_p = r.top_p ?? o.top_p ?? 1;
  if (r.seed !== undefined) o.seed = r.seed;
  if (r.stop !== undefined) o.stop = typeof r.stop === "string" ? [r.stop] : r.stop;
  if (r.presence_penalty !== undefined) o.presence_penalty = r.presence_penalty;
  if (r.frequency_penalty !== undefined) o.frequency_penalty = r.frequency_penalty;
  if (maxTokens?.value !== undefined) {
    if (maxTokens.value < 1)
      throw new OpenAIParamError(maxTokens.param, `Invalid '${maxTokens.param}': must be at least 1.`);
    o.num_predict = maxTokens.value;
  }
  return o;
}

/** The service-input fields every OpenAI route maps alike: Ollama options, logit_bias and keep_alive. */
export function samplingInput(r: Sampling, maxTokens: { param: string; value: number | undefined }) {
  return {
    options: ollamaOptions(r, maxTokens),
    ...(logitBias(r.logit_bias) ? { logitBias: r.logit_bias } : {}),
    ...(r.keep_alive !== undefined ? { keep_alive: r.keep_alive } : {}),
  };
}

/** OpenAI's logit_bias (token id → -100…100) checked; undefined when absent or empty. */
export function logitBias(bias: Record<string, number> | undefined): Record<string, number> | undefined {
  if (!bias || Object.keys(bias).length === 0) return undefined;
  for (const [k, v] of Object.entries(bias)) {
    if (!/^\d+$/.test(k))
      throw new OpenAIParamError("logit_bias", `Invalid 'logit_bias': key '${k}' is not a token id.`);
    inRange(`logit_bias.${k}`, v, -100, 100);
  }
  return bias;
}

/** top_logprobs checked (0–20). */
export function topLogprobs(v: number | undefined, param = "top_logprobs"): number | undefined {
  inRange(param, v, 0, 20);
  return v;
}

const EFFORT: Record<string, boolean | string> = {
  none: false,
  minimal: "low",
  low: "low",
  medium: "medium",
  high: "high",
  max: "max",
  xhigh: "max",
  ultra: "max",
};

/**
 * `think` from Ollama's own `think` field, else a reasoning effort. OpenAI's scale reaches past Ollama's at
 * both ends ("minimal", "xhigh"); those clamp to the nearest level rather than fail. Undefined = the
 * model's default.
 */
export function thinkValue(
  think: boolean | string | undefined,
  effort: string | undefined,
  param: string,
): boolean | string | undefined {
  if (think !== undefined) return think;
  if (effort === undefined || effort === "") return undefined;
  const v = EFFORT[effort];
  if (v === undefined)
    throw new OpenAIParamError(
      param,
      `Invalid value for '${param}': ${JSON.stringify(effort)}; expected one of ${Object.keys(EFFORT).join(", ")}.`,
    );
  return v;
}

/** Refuses `n` (and best_of) above 1: one choice per request is all this server generates. */
export function singleChoice(param: string, n: number | undefined): void {
  if (n !== undefined && n !== 1)
    throw new OpenAIParamError(
      param,
      `Invalid '${param}': only 1 is supported, got ${n}.`,
      "unsupported_value",
    );
}

const ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** `prefix` + 24 random alphanumerics (chatcmpl-…, cmpl-…, resp_…, msg_…). */
export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let s = prefix;
  for (const b of bytes) s += ID_CHARS[b % ID_CHARS.length];
  return s;
}

/** An id for a tool call the model made without one. */
export const newCallId = () => newId("call_");

/** Seconds since the epoch, OpenAI's `created`. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

/** What Ollama sends as `system_fingerprint`. */
export const SYSTEM_FINGERPRINT = "fp_ollama";
