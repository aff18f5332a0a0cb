/**
 * The runner's wire format, shared by both transports (POST /completion NDJSON and the stream socket): the
 * records a completion stream carries, request validation, and the mapping onto the engine's request.
 */
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { TsllmError } from "../../errors.ts";
import type { DoneReason, Piece, Timings } from "../../llama/engine/batching/types.ts";
import { DRAFT_DEFAULTS, type DraftOptions } from "../../llama/engine/batching/speculative.ts";
import type { CompletionRequest, Speculative, WireChunk } from "../protocol.ts";
import type { GenerateInput } from "./validate.ts";

/** A piece as the protocol carries it: each alternative's text travels beside its id. */
export const pieceChunk = (p: Piece): WireChunk => ({
  content: p.content,
  tokens: p.tokens,
  logprobs: p.logprobs?.map((l) => ({
    token: l.token,
    id: l.id,
    logprob: l.logprob,
    top: l.top.map((x, i) => ({ token: l.topText[i] ?? "", id: x.id, logprob: x.logprob })),
  })),
});

export const doneChunk = (
  reason: DoneReason,
  content: string,
  timings: Timings,
  promptTokens?: number[],
  stopSequence?: string,
): WireChunk => ({
  done: true,
  done_reason: reason,
  content,
  timings,
  prompt_tokens: promptTokens,
  ...(stopSequence === undefined ? {} : { stop_sequence: stopSequence }),
});

export const errorChunk = (message: string, code: string, status: number): WireChunk => ({
  error: message,
  code,
  status,
});

/** Any thrown value as a TsllmError (unknown ones are internal errors). */
export const asTsllmError = (e: unknown): TsllmError =>
  e instanceof TsllmError ? e : new TsllmError(String((e as Error)?.message ?? e), { code: "internal" });

/** `data` as T if it matches `schema`, else a 400 naming the first mismatch. */
export function checked<T>(schema: TSchema, data: unknown): T {
  if (!Value.Check(schema, data)) {
    const first = Value.Errors(schema, data).First();
    throw new TsllmError(`invalid request: ${first?.path || "body"} ${first?.message ?? ""}`.trim(), {
      code: "bad_request",
      status: 400,
    });
  }
  return data as T;
}

/** Maps the wire request onto the engine's request. */
export function toGenerate(r: CompletionRequest): GenerateInput {
  const o = r.options ?? {};
  const bias = r.logit_bias
    ? Object.fromEntries(Object.entries(r.logit_bias).map(([k, v]) => [tokenKey(k), v]))
    : undefined;
  return {
    prompt: r.prompt,
    sampling: {
      ...o,
      grammar: r.grammar,
      ...(r.grammar && r.grammar_lazy ? { grammarTriggers: r.grammar_lazy } : {}),
      logitBias: bias,
    },
    stop: o.stop ?? [],
    numPredict: o.num_predict ?? -1,
    numKeep: o.num_keep ?? 4,
    shift: r.shift ?? true,
    logprobs: r.logprobs,
    ...(r.speculative ? { draft: draftOptions(r.speculative) } : {}),
    ...(r.images?.length ? { images: r.images } : {}),
  };
}

/** The request's speculative settings as the engine's draft options (a bare n_max/n_min keeps the default mode). */
function draftOptions(sp: Speculative): DraftOptions | undefined {
  if (!sp.type && sp.n_max === undefined && sp.n_min === undefined) return undefined;
  return {
    mode: sp.type,
    max: sp.n_max ?? DRAFT_DEFAULTS.max,
    min: sp.n_min ?? DRAFT_DEFAULTS.min,
  };
}

/** A logit_bias key as a token id (range-checked by checkGenerate); a key that is no decimal id is a 400. */
function tokenKey(k: string): number {
  if (/^\d{1,10}$/.test(k)) return Number(k);
  throw new TsllmError(`logit_bias key ${JSON.stringify(k)} is not a token id`, {
    code: "invalid_token",
    status: 400,
  });
}
