/**
 * Streams a runner completion as Ollama-shaped events: text pieces (with tool calls parsed out when
 * asked), then one final event with done_reason and nanosecond metrics. The lease is released when the
 * stream ends, fails, is abandoned, or the request's signal aborts.
 */
import { currentRequest, type RequestRecord } from "../observe/request-record.ts";
import type { CompletionDone, CompletionRequest } from "../runner/protocol.ts";
import type { Lease } from "../scheduler/index.ts";
import type { ToolCall } from "../templates/index.ts";
import { nanos } from "./schedule.ts";
import { EMPTY, merge, type OutputParser, type ParsedOutput } from "./output/parser.ts";
import { recordTimings } from "./record.ts";

/** The runner's final record of one pass. */
type FinalRecord = CompletionDone;

/** Ollama's final-chunk metrics, all durations in nanoseconds. */
export interface Metrics {
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
  /** tsllm, with speculative decoding only: draft tokens proposed and accepted (Go clients ignore them). */
  draft_count?: number;
  draft_accepted_count?: number;
}

/** One token's log-probability, Ollama's shape. */
export interface Logprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs?: { token: string; logprob: number; bytes: number[] }[];
}

/** Why generation ended: the model stopped, hit its limit, or the server ended it for shutdown. */
export type DoneReason = "stop" | "length" | "shutdown";

/** Whether output that ended for `reason` was cut short (a limit or the server), not finished by the model. */
export function cutShort(reason: DoneReason): boolean {
  return reason !== "stop";
}

/** The reason a final record reports: the runner's "cancel" only comes from the lease's `ending` (shutdown). */
function doneReasonOf(c: FinalRecord): DoneReason {
  return c.done_reason === "cancel" ? "shutdown" : c.done_reason;
}

/** A streamed piece or the final record. */
export type CompletionEvent =
  | { done: false; content: string; thinking?: string; toolCalls?: ToolCall[]; logprobs?: Logprob[] }
  | {
      done: true;
      content: string;
      thinking?: string;
      toolCalls?: ToolCall[];
      /** "shutdown": the server ended the generation while shutting down (see Scheduler.endInFlight). */
      doneReason: DoneReason;
      /** The stop string that ended generation, if one did. */
      stopSequence?: string;
      metrics: Metrics;
      /** Prompt plus generated token ids (generate's `context`). */
      context?: number[];
    };

/** What generate/chat return: an event stream, or a load/unload acknowledgement. */
export type CompletionResult =
  | { kind: "lifecycle"; model: string; reason: "load" | "unload" }
  | { kind: "stream"; model: string; events: AsyncIterable<CompletionEvent> };

/** How to run one completion. */
export interface StreamSetup {
  lease: Lease;
  request: CompletionRequest;
  signal?: AbortSignal;
  /** performance.now() when the HTTP request arrived. */
  startedAt: number;
  loadNs: number;
  /** Splits thinking and tool calls out of the generated text (chat). */
  parser?: OutputParser;
  /** Set to return `context`: the prompt's token ids (echoed by the runner) and the generated ones. */
  returnContext?: boolean;
  /** A cap on thinking (Anthropic's budget_tokens); needs `parser` to split thinking. */
  thinkBudget?: ThinkBudget;
  /** Sees each runner pass's timings (e.g. to log what Ollama's wire has no field for). */
  onTimings?: (timings: CompletionDone["timings"]) => void;
}

/**
 * At most `tokens` generated tokens go to thinking: when the budget is spent inside the thinking block,
 * `close` (the template's closing tag) is appended and generation continues as the answer, within the
 * request's num_predict.
 */
export interface ThinkBudget {
  tokens: number;
  close: string;
}

const enc = new TextEncoder();
const bytesOf = (s: string) => Array.from(enc.encode(s));

/** Runs the completion; the lease is released exactly once, whatever happens to the stream. */
export function streamCompletion(s: StreamSetup): AsyncIterable<CompletionEvent> {
  const release = () => s.lease.release();
  s.signal?.addEventListener("abort", release, { once: true });
  if (s.signal?.aborted) release();
  // Captured here: the generator's body runs in the context of whoever pulls it (the response stream).
  const gen = run(s, currentRequest());
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => gen.next(),
      return: async (v?: unknown) => {
        release();
        return gen.return(v as undefined);
      },
    }),
  };
}

/** Runner timings summed over the passes of one completion (one pass unless a thinking budget split it). */
interface Totals {
  promptTokens: number;
  promptMs: number;
  predicted: number;
  predictedMs: number;
  /** Speculative decoding, summed over passes; absent when no pass drafted. */
  drafted?: number;
  accepted?: number;
}

async function* run(s: StreamSetup, record: RequestRecord | undefined): AsyncGenerator<CompletionEvent> {
  const generated: number[] = [];
  const limit = s.request.options?.num_predict;
  // Set until the budget's pass has ended.
  let budget =
    s.thinkBudget && (limit === undefined || limit < 0 || limit > s.thinkBudget.tokens)
      ? s.thinkBudget
      : undefined;
  // With a budget, the first pass stops at the budget; the runner echoes the prompt's ids so a second pass
  // can continue the exact token sequence (served from the prompt cache).
  let request: CompletionRequest = budget
    ? {
        ...s.request,
        options: { ...s.request.options, num_predict: budget.tokens },
        return_prompt_tokens: true,
      }
    : s.request;
  let promptIds = Array.isArray(s.request.prompt) ? s.request.prompt : undefined;
  const totals: Totals = { promptTokens: -1, promptMs: 0, predicted: 0, predictedMs: 0 };
  const seen = { thinking: false, answer: false };
  const out = (text: string): CompletionEvent | undefined => {
    const p = s.parser ? s.parser.add(text) : { ...EMPTY, content: text };
    return released(p, seen);
  };
  try {
    for (;;) {
      let final: FinalRecord | undefined;
      // The lease's `ending` (server shutdown) stops generation but still delivers the final record.
      for await (const c of s.lease.runner.completion(request, s.signal, s.lease.ending)) {
        if (c.done) {
          final = c;
          break;
        }
        generated.push(...(c.tokens ?? []));
        if (record && c.tokens?.length) record.token(performance.now(), c.tokens.length);
        const e = out(c.content);
        const logprobs = c.logprobs?.map((l) => ({
          token: l.token,
          logprob: l.logprob,
          bytes: bytesOf(l.token),
          top_logprobs: l.top.map((t) => ({ token: t.token, logprob: t.logprob, bytes: bytesOf(t.token) })),
        }));
        if (e || logprobs?.length)
          yield {
            ...(e ?? { done: false, content: "" }),
            ...(logprobs?.length ? { logprobs } : {}),
          } as CompletionEvent;
      }
      if (!final) return;
      const t = final.timings;
      recordTimings(record, t);
      s.onTimings?.(t);
      if (totals.promptTokens < 0) totals.promptTokens = t.prompt_n + t.cache_n;
      totals.promptMs += t.prompt_ms;
      totals.predicted += t.predicted_n;
      totals.predictedMs += t.predicted_ms;
      if (t.draft_n !== undefined) {
        totals.drafted = (totals.drafted ?? 0) + t.draft_n;
        totals.accepted = (totals.accepted ?? 0) + (t.draft_n_accepted ?? 0);
      }
      promptIds ??= final.prompt_tokens;
      if (budget && final.done_reason === "length" && promptIds) {
        // The budget is spent: close the thinking block if the model is still in it, then go on as the answer.
        const { close } = budget;
        budget = undefined;
        const tail = out(final.content);
        if (tail) yield tail;
        let closing: number[] = [];
        if (seen.thinking && !seen.answer) {
          const e = out(close);
          if (e) yield e;
          closing = await s.lease.runner.tokenize(close, { addSpecial: false, parseSpecial: true });
        }
        const left = limit === undefined || limit < 0 ? limit : limit - generated.length;
        request = {
          ...s.request,
          prompt: [...promptIds, ...generated, ...closing],
          options: { ...s.request.options, ...(left === undefined ? {} : { num_predict: left }) },
        };
        generated.push(...closing);
        continue;
      }
      if (record) record.doneReason = doneReasonOf(final);
      yield* finish(s, final, totals, s.returnContext ? [...(promptIds ?? []), ...generated] : undefined);
      return;
    }
  } finally {
    s.lease.release();
  }
}

/** The event for a parser release, noting whether thinking or an answer has been seen; undefined if empty. */
function released(
  p: ParsedOutput,
  seen: { thinking: boolean; answer: boolean },
): CompletionEvent | undefined {
  if (p.thinking) seen.thinking = true;
  if (p.content.trim() || p.calls.length) seen.answer = true;
  if (!p.content && !p.thinking && !p.calls.length) return undefined;
  return {
    done: false,
    content: p.content,
    ...(p.thinking ? { thinking: p.thinking } : {}),
    ...(p.calls.length ? { toolCalls: p.calls } : {}),
  };
}

/** The last released text, then the final event with the summed metrics. */
function* finish(
  s: StreamSetup,
  c: FinalRecord,
  totals: Totals,
  context: number[] | undefined,
): Generator<CompletionEvent> {
  const last = s.parser
    ? merge(s.parser.add(c.content), s.parser.finish(c.done_reason !== "stop"))
    : { ...EMPTY, content: c.content };
  // What the parsers release at the end goes out before the done chunk, which stays empty: clients
  // (ollama-ai-provider-v2) close their text part on the done chunk before reading its message.
  const e = released(last, { thinking: false, answer: false });
  if (e) yield e;
  yield {
    done: true,
    content: "",
    doneReason: doneReasonOf(c),
    ...(c.stop_sequence !== undefined ? { stopSequence: c.stop_sequence } : {}),
    metrics: {
      total_duration: nanos(performance.now() - s.startedAt),
      load_duration: s.loadNs,
      prompt_eval_count: totals.promptTokens,
      prompt_eval_duration: nanos(totals.promptMs),
      eval_count: totals.predicted,
      eval_duration: nanos(totals.predictedMs),
      ...(totals.drafted !== undefined
        ? { draft_count: totals.drafted, draft_accepted_count: totals.accepted ?? 0 }
        : {}),
    },
    ...(context ? { context } : {}),
  };
}
