/**
 * Completion events → an Anthropic message. One state machine serves both answers: it returns the stream
 * events for each completion event (message_start and ping first; content_block_start/delta/stop per block;
 * message_delta and message_stop at the end) and keeps the message those events add up to, so a
 * `stream: false` answer is exactly what a client accumulating the stream ends with.
 */
import { type CompletionEvent, cutShort } from "../../inference/index.ts";
import type { ToolCall } from "../../templates/index.ts";
import type { SseEvent, SseShape } from "../sse.ts";
import { anthropicErrorBody } from "./errors.ts";
import { messageId, thinkingSignature, toolUseId } from "./ids.ts";
import type { AnswerShape } from "./request.ts";

/** A content block of an answer, in the SDK's shapes. */
export type ContentBlock =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "text"; text: string; citations: null }
  | {
      type: "tool_use";
      id: string;
      name: string;
      input: Record<string, unknown>;
      caller: { type: "direct" };
    };

/** Why generation ended. */
export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use";

/** An Anthropic message (`Message` in the SDK). */
export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: ContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  stop_details: null;
  container: null;
  usage: ReturnType<typeof usage>;
}

/** Usage as Anthropic reports it; nothing is billed as cache creation or read. */
function usage(input: number, output: number) {
  return {
    input_tokens: input,
    output_tokens: output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    service_tier: "standard" as const,
  };
}

const ev = (event: string, data: Record<string, unknown>): SseEvent => ({
  event,
  data: { type: event, ...data },
});

/** Builds one answer from a completion stream. */
export class MessageAssembler {
  /** The message as the events so far have built it. */
  readonly message: AnthropicMessage;
  #started = false;
  /** The block still receiving deltas (thinking or text), if any. */
  #open: Extract<ContentBlock, { type: "thinking" | "text" }> | undefined;

  constructor(
    model: string,
    private readonly shape: AnswerShape,
  ) {
    this.message = {
      id: messageId(),
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      container: null,
      usage: usage(0, 0),
    };
  }

  /** The stream events for one completion event (the first also opens the message). */
  add(e: CompletionEvent): SseEvent[] {
    const out: SseEvent[] = [];
    if (!this.#started) {
      this.#started = true;
      // The prompt's token count is known only when generation ends: message_delta carries it.
      out.push(ev("message_start", { message: { ...this.message, content: [] } }), ev("ping", {}));
    }
    if (e.thinking) this.#thinking(e.thinking, out);
    if (e.content) this.#text(e.content, out);
    for (const call of e.toolCalls ?? []) this.#toolUse(call, out);
    if (e.done) this.#finish(e, out);
    return out;
  }

  #index(): number {
    return this.message.content.length - 1;
  }

  #close(out: SseEvent[]) {
    const open = this.#open;
    if (!open) return;
    this.#open = undefined;
    if (open.type === "thinking") {
      open.signature = thinkingSignature(open.thinking);
      if (this.shape.hideThinking) open.thinking = "";
      out.push(
        ev("content_block_delta", {
          index: this.#index(),
          delta: { type: "signature_delta", signature: open.signature },
        }),
      );
    }
    out.push(ev("content_block_stop", { index: this.#index() }));
  }

  #begin(block: ContentBlock, out: SseEvent[]) {
    this.#close(out);
    this.message.content.push(block);
    out.push(ev("content_block_start", { index: this.#index(), content_block: { ...block } }));
  }

  /** The open block of `type`, starting one (and closing any other) when needed. */
  #stream<T extends "thinking" | "text">(type: T, out: SseEvent[]): Extract<ContentBlock, { type: T }> {
    if (this.#open?.type !== type) {
      const block: ContentBlock =
        type === "thinking"
          ? { type: "thinking", thinking: "", signature: "" }
          : { type: "text", text: "", citations: null };
      this.#begin(block, out);
      this.#open = block as Extract<ContentBlock, { type: "thinking" | "text" }>;
    }
    return this.#open as Extract<ContentBlock, { type: T }>;
  }

  #thinking(text: string, out: SseEvent[]) {
    this.#stream("thinking", out).thinking += text;
    // With display "omitted" the text is kept only to sign it, never sent.
    if (!this.shape.hideThinking)
      out.push(
        ev("content_block_delta", {
          index: this.#index(),
          delta: { type: "thinking_delta", thinking: text },
        }),
      );
  }

  #text(text: string, out: SseEvent[]) {
    this.#stream("text", out).text += text;
    out.push(ev("content_block_delta", { index: this.#index(), delta: { type: "text_delta", text } }));
  }

  #toolUse(call: ToolCall, out: SseEvent[]) {
    if (this.shape.singleToolUse && this.message.content.some((b) => b.type === "tool_use")) return;
    const input = call.function.arguments ?? {};
    // The block starts with an empty input and receives the whole input as one JSON delta, as the SDK
    // accumulates tool input from input_json_delta events.
    this.#begin(
      { type: "tool_use", id: toolUseId(), name: call.function.name, input: {}, caller: { type: "direct" } },
      out,
    );
    (this.message.content.at(-1) as Extract<ContentBlock, { type: "tool_use" }>).input = input;
    out.push(
      ev("content_block_delta", {
        index: this.#index(),
        delta: { type: "input_json_delta", partial_json: JSON.stringify(input) },
      }),
    );
    out.push(ev("content_block_stop", { index: this.#index() }));
  }

  #finish(e: Extract<CompletionEvent, { done: true }>, out: SseEvent[]) {
    this.#close(out);
    const m = this.message;
    m.stop_reason = m.content.some((b) => b.type === "tool_use")
      ? "tool_use"
      : cutShort(e.doneReason) // a limit, or server shutdown (Anthropic has no reason for it)
        ? "max_tokens"
        : e.stopSequence !== undefined
          ? "stop_sequence"
          : "end_turn";
    if (m.stop_reason === "stop_sequence") m.stop_sequence = e.stopSequence ?? null;
    m.usage = usage(e.metrics.prompt_eval_count, e.metrics.eval_count);
    const { service_tier: _, cache_creation: __, ...deltaUsage } = m.usage;
    out.push(
      ev("message_delta", {
        delta: { stop_reason: m.stop_reason, stop_sequence: m.stop_sequence, stop_details: null },
        usage: deltaUsage,
      }),
      ev("message_stop", {}),
    );
  }
}

/** How an answer is written as server-sent events; a failure mid-stream is Anthropic's `error` event. */
export function streamShape(answer: MessageAssembler): SseShape<CompletionEvent> {
  return {
    map: (e) => answer.add(e),
    error: (a) => [{ event: "error", data: anthropicErrorBody(a) }],
    errorBody: anthropicErrorBody,
  };
}
