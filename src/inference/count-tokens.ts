/**
 * Counting a chat's prompt tokens without generating: the conversation is checked and rendered as chat
 * renders it (stored system prompt and messages, the tools its tool plan shows, think) and tokenized by the
 * loaded runner, so the count equals the prompt_eval_count of the same chat when its history is not cut.
 */
import { InvalidInputError } from "../errors.ts";
import type { ChatMessage } from "../templates/index.ts";
import type { ChatInput } from "./chat.ts";
import type { InferenceDeps } from "./deps.ts";
import { checkImages, requireVision } from "./images.ts";
import { requireCapability, resolveModel } from "./model.ts";
import { prepare } from "./request.ts";
import { schedule } from "./schedule.ts";
import { renderMessages } from "./template.ts";
import { planTools } from "./tools/plan.ts";

/** The number of tokens `input`'s prompt has for its model. */
export async function countTokens(
  deps: InferenceDeps,
  input: ChatInput,
  signal?: AbortSignal,
): Promise<{ model: string; count: number }> {
  const images = (input.messages ?? []).flatMap((msg) => msg.images ?? []);
  checkImages(images);
  const asked: ChatMessage[] = (input.messages ?? []).map((msg) => ({ ...msg, content: msg.content ?? "" }));
  if (asked.length === 0) throw new InvalidInputError("messages are required");
  const m = await resolveModel(deps, input.model, "chat");
  const p = prepare(deps, m, input, "chat");
  requireVision(m, images.length);
  const { tools } = planTools({
    template: m.template,
    tools: input.tools,
    choice: input.toolChoice,
    parallel: input.parallelToolCalls,
    format: input.format,
  });
  if (tools) requireCapability(m, "tools");
  const messages = [...m.stored.messages, ...asked];
  if (m.stored.system && asked[0]?.role !== "system")
    messages.unshift({ role: "system", content: m.stored.system });
  const prompt = renderMessages(m.template, messages, tools, p.think);
  const { lease } = await schedule(deps, m, p.options.load, {
    embedding: false,
    keepAliveMs: p.keepAliveMs,
    signal,
  });
  try {
    const ids = await lease.runner.tokenize(prompt, { addSpecial: true, parseSpecial: true });
    return { model: m.name, count: ids.length };
  } finally {
    lease.release();
  }
}
