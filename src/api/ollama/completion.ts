/** Shared shaping of generate/chat output: final-chunk fields, `stream: false` aggregation, the response. */
import type { CompletionEvent, CompletionResult, Logprob } from "../../inference/index.ts";
import type { Logger } from "../../log.ts";
import type { ToolCall } from "../../templates/index.ts";
import { ndjsonResponse } from "../ndjson.ts";
import { now } from "./common.ts";

/** The final event of a completion stream. */
export type FinalEvent = Extract<CompletionEvent, { done: true }>;

/** done, done_reason and the metrics of the last chunk, in Ollama's field order. */
export function finalFields(e: FinalEvent): Record<string, unknown> {
  return { done: true, done_reason: e.doneReason, ...e.metrics };
}

/** A whole stream folded into one: content and thinking concatenated, tool calls and logprobs gathered. */
export interface Aggregate {
  content: string;
  thinking: string;
  toolCalls: ToolCall[];
  logprobs: Logprob[];
  final: FinalEvent;
}

/** Reads every event; throws what the stream throws. The OpenAI routes fold their streams with it too. */
export async function aggregate(events: AsyncIterable<CompletionEvent>): Promise<Aggregate> {
  let content = "";
  let thinking = "";
  const toolCalls: ToolCall[] = [];
  const logprobs: Logprob[] = [];
  let final: FinalEvent | undefined;
  for await (const e of events) {
    content += e.content;
    thinking += e.thinking ?? "";
    if (e.toolCalls) toolCalls.push(...e.toolCalls);
    if (!e.done && e.logprobs) logprobs.push(...e.logprobs);
    if (e.done) final = e;
  }
  if (!final) throw new Error("completion ended without a final record");
  return { content, thinking, toolCalls, logprobs, final };
}

/** How a route shapes its output around the shared response logic. */
export interface Shape {
  /** The route's output field when there is no output (a load or unload): {response: ""} or {message}. */
  empty: Record<string, unknown>;
  /** One streamed chunk. */
  chunk(model: string, e: CompletionEvent): Record<string, unknown>;
  /** The output fields of a `stream: false` answer, from the whole stream. */
  whole(all: Aggregate): Record<string, unknown>;
}

/**
 * The answer of /api/generate and /api/chat: the load/unload record for an empty request, else the NDJSON
 * stream, or with `stream: false` one object folded from the whole stream.
 */
export async function respond(
  r: CompletionResult,
  stream: boolean | undefined,
  shape: Shape,
  logger: Logger,
): Promise<Response> {
  if (r.kind === "lifecycle")
    return Response.json({
      model: r.model,
      created_at: now(),
      ...shape.empty,
      done: true,
      done_reason: r.reason,
    });
  if (stream !== false) return ndjsonResponse(r.events, (e) => shape.chunk(r.model, e), logger);
  const all = await aggregate(r.events);
  return Response.json({
    // The final record carrying all thinking keeps `thinking` in its wire position (after the content).
    ...shape.chunk(r.model, { ...all.final, thinking: all.thinking }),
    ...shape.whole(all),
    ...(all.logprobs.length ? { logprobs: all.logprobs } : {}),
  });
}
