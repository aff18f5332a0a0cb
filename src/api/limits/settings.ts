/**
 * The request limits of one server, read once from the env registry. Each limit names its setting so that
 * an error can tell the client which variable refused it.
 */
import { parseDurationMs } from "../../config/duration.ts";
import { ENV, Env, type EnvVar } from "../../config/env.ts";

/** Every request limit, in bytes, levels, counts or milliseconds (0 disables a timeout). */
export interface RequestLimits {
  /** TSLLM_MAX_BODY: largest JSON body. */
  maxBody: number;
  /** TSLLM_MAX_JSON_DEPTH: deepest nesting of arrays and objects. */
  maxJsonDepth: number;
  /** TSLLM_MAX_PROMPT: largest prompt, system, suffix, message content or embedding input (UTF-8 bytes). */
  maxPrompt: number;
  /** TSLLM_MAX_IMAGES: most images in one request. */
  maxImages: number;
  /** TSLLM_MAX_IMAGE_SIZE: largest image, decoded. */
  maxImageSize: number;
  /** TSLLM_MAX_RERANK_DOCUMENTS: most documents in one rerank request. */
  maxRerankDocuments: number;
  /** TSLLM_HEADER_TIMEOUT: an idle connection (no request yet, or between requests) is closed after it. */
  headerTimeoutMs: number;
  /** TSLLM_BODY_TIMEOUT: longest pause between two chunks of a request body. */
  bodyTimeoutMs: number;
}

/** The settings each limit comes from, for error messages. */
export const LIMIT_SETTING = {
  maxBody: ENV.MAX_BODY.name,
  maxJsonDepth: ENV.MAX_JSON_DEPTH.name,
  maxPrompt: ENV.MAX_PROMPT.name,
  maxImages: ENV.MAX_IMAGES.name,
  maxImageSize: ENV.MAX_IMAGE_SIZE.name,
  maxRerankDocuments: ENV.MAX_RERANK_DOCUMENTS.name,
  headerTimeoutMs: ENV.HEADER_TIMEOUT.name,
  bodyTimeoutMs: ENV.BODY_TIMEOUT.name,
} as const satisfies Record<keyof RequestLimits, string>;

function durationMs(env: Env, v: EnvVar): number {
  const ms = parseDurationMs(env.get(v)) ?? (parseDurationMs(v.default) as number);
  return Math.max(0, ms);
}

/** A count that must be at least 1 (a depth of 0 would refuse every body); the default when not. */
function positive(env: Env, v: EnvVar): number {
  const n = env.int(v);
  return n >= 1 ? n : Number.parseInt(v.default, 10);
}

/** The limits `env` sets (declared defaults for what it leaves unset or cannot parse). */
export function limitsFromEnv(env: Env): RequestLimits {
  return {
    maxBody: env.size(ENV.MAX_BODY),
    maxJsonDepth: positive(env, ENV.MAX_JSON_DEPTH),
    maxPrompt: env.size(ENV.MAX_PROMPT),
    maxImages: Math.max(0, env.int(ENV.MAX_IMAGES)),
    maxImageSize: env.size(ENV.MAX_IMAGE_SIZE),
    maxRerankDocuments: positive(env, ENV.MAX_RERANK_DOCUMENTS),
    headerTimeoutMs: durationMs(env, ENV.HEADER_TIMEOUT),
    bodyTimeoutMs: durationMs(env, ENV.BODY_TIMEOUT),
  };
}

/** The declared defaults, for requests handled outside a server (tests calling `app.handle`). */
export const DEFAULT_LIMITS: RequestLimits = limitsFromEnv(new Env({}));
