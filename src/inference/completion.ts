/**
 * Streams a runner completion as Ollama-shaped events: text pieces (with tool calls parsed out when
 * asked), then one final event with done_reason and nanosecond metrics. The lease is released when the
 * stream ends, fails, is abandoned, or the request's signal aborts.
 */
import type { CompletionRequest } from "../runner/protocol.ts";
import type { Lease } from "../scheduler/index.ts";
import type { ToolCall } from "../templates/index.ts";
import { nanos } from "./schedule.ts";
import { EMPTY, type OutputParser, merge } from "./output/parser.ts";

/** Ollama's final-chunk metrics, all durations in nanoseconds. */
export interface Metrics {
  total_duration: number;
  load_duration: number;
  prompt_eval_count: number;
  prompt_eval_duration: number;
  eval_count: number;
  eval_duration: number;
}

/** One token's log-probability, Ollama's shape. */
export interface Logprob {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs?: { token: string; logprob: number; bytes: number[] }[];
}

/** A streamed piece or the final record. */
export type CompletionEvent =
  | { done: false; content: string; thinking?: string; toolCalls?: ToolCall[]; logprobs?: Logprob[] }
  | {
      done: true;
      content: string;
      thinking?: string;
      toolCalls?: ToolCall[];
      doneReason: "stop" | "length";
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
}

const enc = new TextEncoder();
const bytesOf = (s: string) => Array.from(enc.encode(s));

/** Runs the completion; the lease is released exactly once, whatever happens to the stream. */
export function streamCompletion(s: StreamSetup): AsyncIterable<CompletionEvent> {
  const release = () => s.lease.release();
  s.signal?.addEventListener("abort", release, { once: true });
  if (s.signal?.aborted) release();
  const gen = run(s);
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

async function* run(s: StreamSetup): AsyncGenerator<CompletionEvent> {
  const generated: number[] = [];
  try {
    for await (const c of s.lease.runner.completion(s.request, s.signal)) {
      if (!c.done) {
        generated.push(...(c.tokens ?? []));
        const parsed = s.parser ? s.parser.add(c.content) : { ...EMPTY, content: c.content };
        const logprobs = c.logprobs?.map((l) => ({
          token: l.token,
          logprob: l.logprob,
          bytes: bytesOf(l.token),
          top_logprobs: l.top.map((t) => ({ token: t.token, logprob: t.logprob, bytes: bytesOf(t.token) })),
        }));
        if (parsed.content || parsed.thinking || parsed.calls.length || logprobs?.length)
          yield {
            done: false,
            content: parsed.content,
            ...(parsed.thinking ? { thinking: parsed.thinking } : {}),
            ...(parsed.calls.length ? { toolCalls: parsed.calls } : {}),
            ...(logprobs?.length ? { logprobs } : {}),
          };
        continue;
      }
      const last = s.parser
        ? merge(s.parser.add(c.content), s.parser.finish(c.done_reason === "length"))
        : { ...EMPTY, content: c.content };
      // What the parsers release at the end goes out before the done chunk, which stays empty: clients
      // (ollama-ai-provider-v2) close their text part on the done chunk before reading its message.
      if (last.content || last.thinking || last.calls.length)
        yield {
          done: false,
          content: last.content,
          ...(last.thinking ? { thinking: last.thinking } : {}),
          ...(last.calls.length ? { toolCalls: last.calls } : {}),
        };
      const t = c.timings;
      yield {
        done: true,
        content: "",
        doneReason: c.done_reason === "length" ? "length" : "stop",
        metrics: {
          total_duration: nanos(performance.now() - s.startedAt),
          load_duration: s.loadNs,
          prompt_eval_count: t.prompt_n + t.cache_n,
          prompt_eval_duration: nanos(t.prompt_ms),
          eval_count: t.predicted_n,
          eval_duration: nanos(t.predicted_ms),
        },
        ...(s.returnContext ? { context: [...(c.prompt_tokens ?? []), ...generated] } : {}),
      };
      return;
    }
  } finally {
    s.lease.release();
  }
}
