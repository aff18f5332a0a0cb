/**
 * Shared pieces of the OpenAI answers: the event stream of a service result, finish reasons, usage, tool
 * calls. A `stream: false` answer folds its stream with the Ollama routes' `aggregate`.
 */
import { type CompletionEvent, type CompletionResult, cutShort } from "../../inference/index.ts";
import type { ToolCall } from "../../templates/index.ts";
import type { FinalEvent } from "../ollama/completion.ts";

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

/**
 * OpenAI's finish_reason: tool_calls when the model stopped after calling tools; output cut short by a limit
 * or by server shutdown is "length" (OpenAI has no reason for the latter; clients treat "length" as cut).
 */
export function finishReason(e: FinalEvent, calledTools: boolean): "stop" | "length" | "tool_calls" {
  if (cutShort(e.doneReason)) return "length";
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
