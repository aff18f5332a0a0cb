/** /api/chat: a conversation rendered through the model's template, history fitted to num_ctx, tool calls parsed. */
import { type ChatMessage, fitHistory, type Tool, thinkEnabled } from "../templates/index.ts";
import { type CompletionResult, streamCompletion } from "./completion.ts";
import type { InferenceDeps } from "./deps.ts";
import { prepareChat } from "./chat-request.ts";
import { type CommonInput, lifecycle, runnerRequest } from "./request.ts";
import { schedule } from "./schedule.ts";
import { untruncatedPrompt } from "./truncate.ts";
import { compose } from "./output/parser.ts";
import { thinkingParser } from "./output/thinking.ts";
import { renderMessages, thinkingTags } from "./template.ts";
import type { ToolChoice } from "./tools/plan.ts";
import {
  checkImagePrompt,
  conversationImages,
  imageTimingsLogger,
  textTokensAround,
} from "./vision-request.ts";

export type { ToolChoice } from "./tools/plan.ts";

/** A chat request as the service takes it. */
export interface ChatInput extends CommonInput {
  /** Messages as sent: `content` may be missing (it counts as ""). */
  messages?: (Omit<ChatMessage, "content"> & { content?: string })[];
  tools?: Tool[];
  toolChoice?: ToolChoice;
  /** Whether one reply may make several tool calls (default true). */
  parallelToolCalls?: boolean;
  /** At most this many generated tokens go to thinking (Anthropic's budget_tokens); then the block is closed. */
  thinkBudget?: number;
  truncate?: boolean;
}

const REJECTED = "\u0000rejected";

/** Runs a chat request; errors before the first token throw, so the API can answer with a status. */
export async function chat(
  deps: InferenceDeps,
  input: ChatInput,
  signal?: AbortSignal,
): Promise<CompletionResult> {
  const startedAt = performance.now();
  const { m, p, toolPlan, asked, messages } = await prepareChat(deps, input);
  const tools = toolPlan.tools;
  if (asked.length === 0) return lifecycle(deps, m, p, signal);
  // Images are checked and converted before a runner is scheduled: a bad one costs no load.
  const vision = await conversationImages(deps, m, messages, messages.length - asked.length);
  const conversation = vision?.messages ?? messages;

  const { lease, loadNs } = await schedule(deps, m, p.options.load, {
    embedding: false,
    keepAliveMs: p.keepAliveMs,
    signal,
  });
  try {
    const tokenized = new Map<string, number[]>();
    const tokenize = async (text: string) => {
      let ids = tokenized.get(text);
      if (!ids) {
        ids = await lease.runner.tokenize(text, { addSpecial: true, parseSpecial: true });
        tokenized.set(text, ids);
      }
      return ids;
    };
    const render = (msgs: ChatMessage[]) => renderMessages(m.template, msgs, tools, p.think);
    // A cut the template rejects (e.g. roles no longer alternating) counts as not fitting.
    const tryRender = (msgs: ChatMessage[]) => {
      try {
        return render(msgs);
      } catch (e) {
        if (msgs.length === conversation.length) throw e;
        return REJECTED;
      }
    };
    // A prompt never has more tokens than UTF-8 bytes + 2 (BOS, SPM's leading space), so a short one is
    // known to fit without asking the runner; only long histories are tokenized to be cut exactly.
    const budget = lease.options.num_ctx;
    const count = async (t: string) => {
      if (t === REJECTED) return Number.POSITIVE_INFINITY;
      const bound = Buffer.byteLength(t) + 2;
      return bound <= budget ? bound : (await tokenize(t)).length;
    };
    const imageTokens = (msg: ChatMessage) => vision?.tokensOf(msg) ?? 0;
    const fitted =
      input.truncate === false
        ? undefined
        : await fitHistory(conversation, budget, tryRender, count, imageTokens);
    const kept = fitted?.messages ?? conversation;
    const prompt = fitted && fitted.prompt !== REJECTED ? fitted.prompt : render(kept);
    const images = vision?.of(kept) ?? [];
    // With images the runner tokenizes the text around them itself, so the prompt goes as text.
    if (vision) {
      const around = (t: string, addSpecial: boolean) =>
        lease.runner.tokenize(t, { addSpecial, parseSpecial: true });
      checkImagePrompt(prompt, images, vision.cost, await textTokensAround(around, prompt), budget);
    }
    deps.logger.debug("chat prompt", { model: m.name, prompt });
    const toolParser = toolPlan.parser;
    const tags = thinkingTags(m.template);
    const constrained = toolPlan.request.grammar ? !toolPlan.request.grammar_lazy : !!p.grammar;
    return {
      kind: "stream",
      model: m.name,
      events: streamCompletion({
        lease,
        request: {
          ...runnerRequest(
            images.length
              ? prompt
              : input.truncate === false
                ? await untruncatedPrompt(lease, prompt, tokenized.get(prompt))
                : (tokenized.get(prompt) ?? prompt),
            p,
            input,
          ),
          ...toolPlan.request,
          ...(images.length ? { images } : {}),
        },
        signal,
        startedAt,
        loadNs,
        ...(images.length ? { onTimings: imageTimingsLogger(deps, m.name) } : {}),
        // Thinking is split off first; tool calls are parsed from what remains. A grammar applied from the
        // first token (format, tool_choice) leaves no room for thinking.
        parser: compose(thinkingParser(tags, p.think, prompt, constrained), toolParser),
        ...(input.thinkBudget && tags && thinkEnabled(p.think) && !constrained
          ? { thinkBudget: { tokens: input.thinkBudget, close: tags.close } }
          : {}),
      }),
    };
  } catch (e) {
    lease.release();
    throw e;
  }
}
