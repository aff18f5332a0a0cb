/**
 * One answer: POST /api/chat with `stream: true`, chunks folded into the growing answer as they arrive.
 * TTFT is the time from sending to the first chunk on the page's clock; tokens/s comes from the server's
 * own eval_count / eval_duration in the final chunk. Stopping aborts the request (the server then stops
 * generating) and keeps what arrived.
 */
import { type ApiContext, isAbort, messageOf, ndjson, send } from "./api.ts";
import type { AnswerStats, StoredMessage } from "./storage.ts";
import type { ChatChunk, ChatMessage, ChatOptions, ChatRequest } from "./wire.ts";

/** What one answer is asked with. */
export interface AnswerRequest {
  model: string;
  system: string;
  history: readonly StoredMessage[];
  think: boolean;
  options: ChatOptions;
}

/** The request body for an answer: the system prompt, then the turns that have content. */
export function chatRequest(r: AnswerRequest): ChatRequest {
  const messages: ChatMessage[] = [];
  if (r.system.trim()) messages.push({ role: "system", content: r.system });
  for (const m of r.history) if (!m.error && m.content) messages.push({ role: m.role, content: m.content });
  const body: ChatRequest = { model: r.model, messages, stream: true };
  if (r.think) body.think = true;
  const options = Object.fromEntries(
    Object.entries(r.options).filter(([, v]) => typeof v === "number" && Number.isFinite(v)),
  );
  if (Object.keys(options).length > 0) body.options = options;
  return body;
}

function finalStats(chunk: ChatChunk, ttftMs: number | undefined): AnswerStats {
  const stats: AnswerStats = { ttftMs, evalCount: chunk.eval_count, promptTokens: chunk.prompt_eval_count };
  if (chunk.eval_count && chunk.eval_duration)
    stats.tokensPerSecond = chunk.eval_count / (chunk.eval_duration / 1e9);
  if (chunk.done_reason) stats.doneReason = chunk.done_reason;
  return stats;
}

/**
 * Streams one answer; `update` sees the answer after every chunk and once more at the end (with stats,
 * the error text, or `stopped`). Never throws.
 */
export async function streamAnswer(
  ctx: ApiContext,
  req: AnswerRequest,
  signal: AbortSignal,
  update: (answer: StoredMessage) => void,
): Promise<StoredMessage> {
  const answer: StoredMessage = { role: "assistant", content: "", thinking: "" };
  const started = performance.now();
  let ttftMs: number | undefined;
  try {
    const res = await send(ctx, "POST", "/api/chat", chatRequest(req), signal);
    for await (const chunk of ndjson<ChatChunk>(res)) {
      ttftMs ??= performance.now() - started;
      answer.content += chunk.message?.content ?? "";
      answer.thinking += chunk.message?.thinking ?? "";
      if (chunk.done) answer.stats = finalStats(chunk, ttftMs);
      update({ ...answer });
    }
  } catch (e) {
    if (isAbort(e) || signal.aborted) {
      answer.stopped = true;
      answer.stats = { ttftMs };
    } else answer.error = messageOf(e);
  }
  if (!answer.thinking) delete answer.thinking;
  update({ ...answer });
  return answer;
}
