/**
 * Counting a chat's prompt tokens without generating: the conversation is checked and rendered as chat
 * renders it (stored system prompt and messages, the tools its tool plan shows, think) and tokenized by the
 * loaded runner, so the count equals the prompt_eval_count of the same chat when its history is not cut.
 */
import { InvalidInputError } from "../errors.ts";
import type { ChatMessage } from "../templates/index.ts";
import type { ChatInput } from "./chat.ts";
import { prepareChat } from "./chat-request.ts";
import type { InferenceDeps } from "./deps.ts";
import { schedule } from "./schedule.ts";
import { renderMessages } from "./template.ts";
import { imageInfo } from "./vision-format.ts";
import { type ImageCost, imagesTokens, markMessages } from "./vision-prompt.ts";
import { modelImageCost, textTokensAround } from "./vision-request.ts";

/** The number of tokens `input`'s prompt has for its model. */
export async function countTokens(
  deps: InferenceDeps,
  input: ChatInput,
  signal?: AbortSignal,
): Promise<{ model: string; count: number }> {
  if (!input.messages?.length) throw new InvalidInputError("messages are required");
  const { m, p, toolPlan, messages } = await prepareChat(deps, input);
  const images = messages.reduce((n, msg) => n + (msg.images?.length ?? 0), 0);
  const prompt = renderMessages(
    m.template,
    images ? markMessages(messages) : messages,
    toolPlan.tools,
    p.think,
  );
  const imageTokens = images ? countImageTokens(await modelImageCost(deps, m), messages) : 0;
  const { lease } = await schedule(deps, m, p.options.load, {
    embedding: false,
    keepAliveMs: p.keepAliveMs,
    signal,
  });
  try {
    const tokenize = (text: string, addSpecial: boolean) =>
      lease.runner.tokenize(text, { addSpecial, parseSpecial: true });
    return { model: m.name, count: imageTokens + (await textTokensAround(tokenize, prompt)) };
  } finally {
    lease.release();
  }
}

/** The images' tokens: by each image's size when the projector's count depends on it. */
function countImageTokens(cost: ImageCost, messages: readonly Pick<ChatMessage, "images">[]): number {
  const sized = messages.flatMap((msg, i) =>
    (msg.images ?? []).map((b64, j) =>
      cost.sized && typeof b64 === "string"
        ? imageInfo(Buffer.from(b64, "base64"), `messages[${i}].images[${j}]`)
        : {},
    ),
  );
  return imagesTokens(cost, sized);
}
