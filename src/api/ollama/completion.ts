/** Shared shaping of generate/chat output: final-chunk fields and `stream: false` aggregation. */
import type { CompletionEvent, Logprob } from "../../inference/index.ts";
import type { ToolCall } from "../../templates/index.ts";

type Final = Extract<CompletionEvent, { done: true }>;

/** done, done_reason and the metrics of the last chunk, in Ollama's field order. */
export function finalFields(e: Final): Record<string, unknown> {
  return { done: true, done_reason: e.doneReason, ...e.metrics };
}

/** A whole stream folded into one: content concatenated, tool calls and logprobs gathered. */
export interface Aggregate {
  content: string;
  toolCalls: ToolCall[];
  logprobs: Logprob[];
  final: Final;
}

/** Reads every event; throws what the stream throws. */
export async function aggregate(events: AsyncIterable<CompletionEvent>): Promise<Aggregate> {
  let content = "";
  const toolCalls: ToolCall[] = [];
  const logprobs: Logprob[] = [];
  let final: Final | undefined;
  for await (const e of events) {
    content += e.content;
    if (e.toolCalls) toolCalls.push(...e.toolCalls);
    if (!e.done && e.logprobs) logprobs.push(...e.logprobs);
    if (e.done) final = e;
  }
  if (!final) throw new Error("completion ended without a final record");
  return { content, toolCalls, logprobs, final };
}
