/** Shared pieces of the OpenAI answers: a whole completion stream folded into one, finish reasons, usage. */
import type { CompletionEvent, CompletionResult, Logprob } from "../../inference/index.ts";
import type { ToolCall } from "../../templates/index.ts";

/** The final event of a completion stream. */
export type FinalEvent = Extract<CompletionEvent, { done: true }>;

/** A completion stream folded into one answer. */
export interface Collected {
  content: string;
  thinking: string;
  toolCalls: ToolCall[];
  logprobs: Logprob[];
  final: FinalEvent;
}

/** Reads every event; throws what the stream throws. */
export async function collect(events: AsyncIterable<CompletionEvent>): Promise<Collected> {
  let content = "";
  let thinking = "";
  const toolCalls: ToolCall[] = [];
  const logprobs: Logprob[] = [];
  for await (const e of events) {
    content += e.content;
    thinking += e.thinking ?? "";
    if (e.toolCalls) toolCalls.push(...e.toolCalls);
    if (!e.done && e.logprobs) logprobs.push(...e.logprobs);
    if (e.done) return { content, thinking, toolCalls, logprobs, final: e };
  }
  throw new Error("completion ended without a final record");
}

/** The event stream of a service result; a load-only result (no prompt) streams one empty final event. */
export function eventsOf(r: CompletionResult): AsyncIterable<CompletionEvent> {
  if (r.kind === "stream") return r.events;
  return (async function* () {
    yield {
      done: true as const,
      content: "",
      doneReason: "stop" as const,
      metrics: {
        total_duration: 0,
        load_duration: 0,
        prompt_eval_count: 0,
        prompt_eval_duration: 0,
        eval_count: 0,
        eval_duration: 0,
      },
    };
  })();
}

/** OpenAI's finish_reason: tool_calls when the model stopped after calling tools. */
export function finishReason(e: FinalEvent, calledTools: boolean): "stop" | "length" | "tool_calls" {
  if (e.doneReason === "length") return "length";
  return calledTools ? "tool_calls" : "stop";
}

/** Chat/completions usage from the final metrics. */
export function usage(e: FinalEvent) {
  const prompt = e.metrics.prompt_eval_count;
  const completion = e.metrics.eval_count;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Tool calls in OpenAI's shape (arguments as a JSON string); ids are made up when the parser gave none. */
export function openaiToolCalls(calls: readonly ToolCall[], firstIndex: number, newCallId: () => string) {
  return calls.map((c, i) => ({
    index: firstIndex + i,
    id: c.id ?? newCallId(),
    type: "function" as const,
    function: { name: c.function.name, arguments: JSON.stringify(c.function.arguments ?? {}) },
  }));
}
