/**
 * A chat completion as OpenAI answers it: one `chat.completion` object, or a stream of
 * `chat.completion.chunk`s (role first, then content/reasoning/tool-call deltas, then a chunk with only the
 * finish_reason, then usage when asked, then `[DONE]`). Thinking is sent as both `reasoning` (Ollama's
 * field, read by the AI SDK) and `reasoning_content` (read by LangChain and most OpenAI-compatible clients).
 */
import type { CompletionEvent, Logprob } from "../../inference/index.ts";
import type { Aggregate } from "../ollama/completion.ts";
import type { SseEvent, SseShape } from "../sse.ts";
import { finishReason, openaiToolCalls, usage } from "./collect.ts";
import { openaiErrorBody } from "./errors.ts";
import { newCallId, SYSTEM_FINGERPRINT } from "./params.ts";

/** What every object of one answer shares. */
export interface ChatHead {
  id: string;
  created: number;
  model: string;
}

const head = (h: ChatHead, object: string) => ({
  id: h.id,
  object,
  created: h.created,
  model: h.model,
  system_fingerprint: SYSTEM_FINGERPRINT,
});

const reasoning = (thinking: string) =>
  thinking ? { reasoning: thinking, reasoning_content: thinking } : {};

/** OpenAI's choice logprobs (the service's logprobs already have its token/logprob/bytes/top shape). */
function choiceLogprobs(lp: readonly Logprob[]) {
  return {
    content: lp.map((l) => ({
      token: l.token,
      logprob: l.logprob,
      bytes: l.bytes,
      top_logprobs: l.top_logprobs ?? [],
    })),
    refusal: null,
  };
}

/** The non-streamed answer. */
export function chatCompletion(h: ChatHead, all: Aggregate, withLogprobs: boolean) {
  const calls = openaiToolCalls(all.toolCalls, 0, newCallId).map(({ index: _, ...c }) => c);
  return {
    ...head(h, "chat.completion"),
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          // OpenAI sends null content beside tool calls when the model wrote no text.
          content: calls.length && !all.content.trim() ? null : all.content,
          refusal: null,
          ...reasoning(all.thinking),
          ...(calls.length ? { tool_calls: calls } : {}),
        },
        logprobs: withLogprobs ? choiceLogprobs(all.logprobs) : null,
        finish_reason: finishReason(all.final, calls.length > 0),
      },
    ],
    usage: usage(all.final),
  };
}

/** The streamed answer's shape for sseResponse; one instance per response (it counts tool calls). */
export function chatChunks(h: ChatHead, includeUsage: boolean): SseShape<CompletionEvent> {
  let first = true;
  let calls = 0;
  const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    data: {
      ...head(h, "chat.completion.chunk"),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: null, ...extra }],
    },
  });
  return {
    map(e) {
      const out: SseEvent[] = [];
      const role = first ? { role: "assistant" } : {};
      const lp = !e.done && e.logprobs?.length ? { logprobs: choiceLogprobs(e.logprobs) } : {};
      const toolCalls = e.toolCalls?.length ? openaiToolCalls(e.toolCalls, calls, newCallId) : [];
      calls += toolCalls.length;
      const hasRest = e.content !== "" || toolCalls.length > 0;
      // Thinking and the text or calls after it go out as two chunks, as Ollama splits them.
      if (e.thinking) out.push(chunk({ ...role, content: "", ...reasoning(e.thinking) }, hasRest ? {} : lp));
      if (hasRest || (first && !e.thinking) || (lp.logprobs && !e.thinking))
        out.push(
          chunk(
            {
              ...(e.thinking ? {} : role),
              content: e.content,
              ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
            },
            lp,
          ),
        );
      if (out.length) first = false;
      if (e.done) {
        out.push(chunk({}, { finish_reason: finishReason(e, calls > 0) }));
        if (includeUsage)
          out.push({ data: { ...head(h, "chat.completion.chunk"), choices: [], usage: usage(e) } });
      }
      return out;
    },
    end: () => [{ data: "[DONE]" }],
    error: (a) => [{ data: openaiErrorBody(a) }],
    errorBody: openaiErrorBody,
  };
}
