/**
 * Builds one Responses-API response from a completion stream: the SSE event sequence the SDK's stream
 * accumulator checks (response.created, response.in_progress, per output item output_item.added … its
 * deltas … output_item.done, then response.completed or response.incomplete), and the final response
 * object. Output items are opened and closed as the kind of text changes: thinking → a `reasoning` item
 * (summary text; also in encrypted_content, as Ollama round-trips it), text → a `message` item, each tool
 * call → a `function_call` item. The non-streamed answer is the same builder's final object.
 */
import { type CompletionEvent, cutShort, type Logprob } from "../../../inference/index.ts";
import type { ChatMessage, ToolCall } from "../../../templates/index.ts";
import type { FinalEvent } from "../../ollama/completion.ts";
import type { SseEvent } from "../../sse.ts";
import { newCallId, newId } from "../params.ts";
import type { ResponsesRequest } from "./request.ts";

type Item = Record<string, unknown> & { id: string; type: string };

interface Open {
  kind: "reasoning" | "message";
  index: number;
  item: Item;
  text: string;
  logprobs: Logprob[];
}

/** One response under construction. */
export class ResponseBuilder {
  private seq = 0;
  private readonly output: Item[] = [];
  private open: Open | null = null;
  private held = "";
  private heldLogprobs: Logprob[] = [];
  private readonly calls: ToolCall[] = [];
  private final: FinalEvent | undefined;
  private completed: Record<string, unknown> | undefined;

  constructor(
    private readonly id: string,
    private readonly head: Record<string, unknown>,
    private readonly withLogprobs: boolean,
  ) {}

  /** response.created and response.in_progress. */
  start(): SseEvent[] {
    const r = this.response("in_progress");
    return [this.ev("response.created", { response: r }), this.ev("response.in_progress", { response: r })];
  }

  /** The events for one completion event. */
  push(e: CompletionEvent): SseEvent[] {
    const out: SseEvent[] = [];
    if (e.thinking) {
      if (this.open?.kind !== "reasoning") this.openItem(out, "reasoning");
      this.appendText(out, e.thinking, []);
    }
    if (e.content) {
      const lp = this.withLogprobs && !e.done ? (e.logprobs ?? []) : [];
      if (this.open?.kind === "message") this.appendText(out, e.content, lp);
      // Whitespace before a tool call is not worth a message item: hold it until real text follows.
      else if (!(this.held + e.content).trim()) {
        this.held += e.content;
        this.heldLogprobs.push(...lp);
      } else {
        this.openItem(out, "message");
        this.appendText(out, this.held + e.content, [...this.heldLogprobs, ...lp]);
        this.held = "";
        this.heldLogprobs = [];
      }
    }
    for (const c of e.toolCalls ?? []) this.toolCall(out, c);
    if (e.done) this.finish(out, e);
    return out;
  }

  /** The response object as it stands; once the final event was pushed, always the same finished object. */
  response(status = this.final ? this.status() : "in_progress"): Record<string, unknown> {
    if (this.completed) return this.completed;
    const f = this.final;
    return {
      id: this.id,
      object: "response",
      ...this.head,
      status,
      completed_at: f ? Math.floor(Date.now() / 1000) : null,
      incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
      output: f ? this.output : [],
      usage: f
        ? {
            input_tokens: f.metrics.prompt_eval_count,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: f.metrics.eval_count,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: f.metrics.prompt_eval_count + f.metrics.eval_count,
          }
        : null,
    };
  }

  /** The response's output as one assistant chat message (for the conversation store). */
  message(): ChatMessage {
    const text = (type: string) =>
      this.output
        .filter((i) => i.type === type)
        .map((i) =>
          i.type === "reasoning" ? ((i.summary as { text: string }[])[0]?.text ?? "") : messageText(i),
        )
        .join("\n");
    const thinking = text("reasoning");
    return {
      role: "assistant",
      content: text("message"),
      ...(thinking ? { thinking } : {}),
      ...(this.calls.length ? { tool_calls: this.calls } : {}),
    };
  }

  private status(): "completed" | "incomplete" {
    return this.final && cutShort(this.final.doneReason) ? "incomplete" : "completed";
  }

  /** One event of this response's stream, numbered in sequence. */
  ev(type: string, fields: Record<string, unknown>): SseEvent {
    return { event: type, data: { type, sequence_number: this.seq++, ...fields } };
  }

  private openItem(out: SseEvent[], kind: Open["kind"]): void {
    this.closeItem(out);
    const index = this.output.length;
    const item: Item =
      kind === "reasoning"
        ? { id: newId("rs_"), type: "reasoning", summary: [] }
        : { id: newId("msg_"), type: "message", status: "in_progress", role: "assistant", content: [] };
    this.output.push(item);
    this.open = { kind, index, item, text: "", logprobs: [] };
    out.push(this.ev("response.output_item.added", { output_index: index, item: { ...item } }));
    const at = { item_id: item.id, output_index: index };
    if (kind === "reasoning")
      out.push(
        this.ev("response.reasoning_summary_part.added", {
          ...at,
          summary_index: 0,
          part: { type: "summary_text", text: "" },
        }),
      );
    else
      out.push(this.ev("response.content_part.added", { ...at, content_index: 0, part: textPart("", []) }));
  }

  private appendText(out: SseEvent[], delta: string, logprobs: Logprob[]): void {
    const o = this.open as Open;
    o.text += delta;
    o.logprobs.push(...logprobs);
    const at = { item_id: o.item.id, output_index: o.index };
    if (o.kind === "reasoning")
      out.push(this.ev("response.reasoning_summary_text.delta", { ...at, summary_index: 0, delta }));
    else out.push(this.ev("response.output_text.delta", { ...at, content_index: 0, delta, logprobs }));
  }

  private closeItem(out: SseEvent[]): void {
    const o = this.open;
    if (!o) return;
    this.open = null;
    const at = { item_id: o.item.id, output_index: o.index };
    if (o.kind === "reasoning") {
      const part = { type: "summary_text", text: o.text };
      Object.assign(o.item, { summary: [part], encrypted_content: o.text });
      out.push(this.ev("response.reasoning_summary_text.done", { ...at, summary_index: 0, text: o.text }));
      out.push(this.ev("response.reasoning_summary_part.done", { ...at, summary_index: 0, part }));
    } else {
      const part = textPart(o.text, o.logprobs);
      Object.assign(o.item, { status: this.status() });
      Object.assign(o.item, { content: [part] });
      out.push(
        this.ev("response.output_text.done", { ...at, content_index: 0, text: o.text, logprobs: o.logprobs }),
      );
      out.push(this.ev("response.content_part.done", { ...at, content_index: 0, part }));
    }
    out.push(this.ev("response.output_item.done", { output_index: o.index, item: o.item }));
  }

  private toolCall(out: SseEvent[], c: ToolCall): void {
    this.closeItem(out);
    const call = { ...c, id: c.id ?? newCallId() };
    this.calls.push(call);
    const args = JSON.stringify(c.function.arguments ?? {});
    const index = this.output.length;
    const base = { id: newId("fc_"), type: "function_call", call_id: call.id, name: c.function.name };
    const item: Item = { ...base, status: "completed", arguments: args };
    this.output.push(item);
    const at = { item_id: item.id, output_index: index };
    out.push(
      this.ev("response.output_item.added", {
        output_index: index,
        item: { ...base, status: "in_progress", arguments: "" },
      }),
      this.ev("response.function_call_arguments.delta", { ...at, delta: args }),
      this.ev("response.function_call_arguments.done", { ...at, name: c.function.name, arguments: args }),
      this.ev("response.output_item.done", { output_index: index, item }),
    );
  }

  private finish(out: SseEvent[], e: FinalEvent): void {
    this.final = e;
    // Every answer without tool calls has a message item, even an empty one.
    if (this.calls.length === 0 && !this.output.some((i) => i.type === "message")) {
      this.openItem(out, "message");
      if (this.held) this.appendText(out, this.held, this.heldLogprobs);
    }
    this.closeItem(out);
    const status = this.status();
    this.completed = this.response(status);
    out.push(
      this.ev(status === "completed" ? "response.completed" : "response.incomplete", {
        response: this.completed,
      }),
    );
  }
}

function textPart(text: string, logprobs: Logprob[]) {
  return { type: "output_text", text, annotations: [], logprobs };
}

function messageText(item: Item): string {
  return ((item.content as { text: string }[] | undefined) ?? []).map((p) => p.text).join("");
}

/** A fresh response id. */
export const newResponseId = () => newId("resp_");
