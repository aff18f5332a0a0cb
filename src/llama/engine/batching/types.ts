/** What a generation request asks of the batching engine, and how results come back. */
import type { TsllmError } from "../../../errors.ts";
import type { SamplerOptions } from "../sampler.ts";
import type { TokenLogprobs } from "./logprobs.ts";
import type { PromptImage } from "./images.ts";
import type { DraftOptions } from "./speculative.ts";

/** One completion request, already tokenized. */
export interface GenerateRequest {
  prompt: number[];
  sampling: SamplerOptions;
  stop: string[];
  /** Tokens to generate at most; negative = until EOG (bounded to 10 × n_ctx). */
  numPredict: number;
  /** Tokens kept at the start when the context shifts or the prompt is truncated. */
  numKeep: number;
  /** Context full while generating: shift (true) or stop with "length" (false). */
  shift: boolean;
  /** Top-N alternatives per token; undefined = no logprobs. */
  logprobs?: number;
  /** Speculative decoding; undefined = draft with the draft model if one is loaded, else not at all. */
  draft?: DraftOptions;
  /** Images inside `prompt` (their entries hold negative placeholder ids, see images.ts). */
  images?: PromptImage[];
}

/** Why a generation ended. */
export type DoneReason = "stop" | "length" | "cancel";

/** Per-request timings (milliseconds) and token counts. */
export interface Timings {
  prompt_n: number;
  prompt_ms: number;
  predicted_n: number;
  predicted_ms: number;
  cache_n: number;
  /** Speculative decoding: draft tokens proposed and accepted (only when the request drafted). */
  draft_n?: number;
  draft_n_accepted?: number;
}

/** A generated piece: text plus the tokens and logprobs it came from. */
export interface Piece {
  content: string;
  tokens: number[];
  logprobs?: (TokenLogprobs & { token: string; topText: string[] })[];
}

/** Receives a request's output. Exactly one of done/error is called, last. */
export interface Sink {
  piece(p: Piece): void;
  /** The end; `stopSequence` is the stop string that ended it, if one did. */
  done(reason: DoneReason, content: string, timings: Timings, stopSequence?: string): void;
  error(e: TsllmError): void;
}
