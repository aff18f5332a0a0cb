/** /api/chat: a conversation rendered through the model's template, history fitted to num_ctx, tool calls parsed. */
import { InvalidInputError } from "../errors.ts";
import { type ChatMessage, fitHistory, type Tool } from "../templates/index.ts";
import { type CompletionResult, streamCompletion } from "./completion.ts";
import type { InferenceDeps } from "./deps.ts";
import { CapabilityError } from "./errors.ts";
import { resolveModel } from "./model.ts";
import { type CommonInput, lifecycle, prepare, runnerRequest } from "./request.ts";
import { schedule } from "./schedule.ts";
import { renderMessages, toolCallTag } from "./template.ts";
import { ToolCallParser } from "./tool-calls.ts";

/**
 * Which tool calls a chat may make: any or none as the model chooses ("auto", the default), none at all
 * ("none": tools are not shown to the model), at least one ("required"), or one call of the named function.
 * Everything but "auto" is enforced by constraining generation.
 */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

/** A chat request as the service takes it. */
export interface ChatInput extends CommonInput {
  /** Messages as sent: `content` may be missing (it counts as ""). */
  messages?: (Omit<ChatMessage, "content"> & { content?: string })[];
  tools?: Tool[];
  toolChoice?: ToolChoice;
  truncate?: boolean;
}

const REJECTED = "\u0000rejected";
const ROLES = new Set(["system", "user", "assistant", "tool"]);

/** Runs a chat request; errors before the first token throw, so the API can answer with a status. */
export async function chat(
  deps: InferenceDeps,
  input: ChatInput,
  signal?: AbortSignal,
): Promise<CompletionResult> {
  const startedAt = performance.now();
  const asked: ChatMessage[] = (input.messages ?? []).map((msg) => ({
    ...msg,
    role: msg.role.toLowerCase(),
    content: msg.content ?? "",
  }));
  for (const msg of asked) if (!ROLES.has(msg.role)) throw new InvalidInputError(`invalid role: ${msg.role}`);
  const m = await resolveModel(deps, input.model);
  const p = prepare(deps, m, input, "chat");
  const tools = input.tools?.length ? input.tools : undefined;
  if (tools && !m.capabilities.includes("tools")) throw new CapabilityError(m.name, "tools");
  if (asked.length === 0) return lifecycle(deps, m, p, signal);

  const messages: ChatMessage[] = [...m.stored.messages, ...asked];
  if (m.stored.system && asked[0]?.role !== "system")
    messages.unshift({ role: "system", content: m.stored.system });

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
    const render = (msgs: ChatMessage[]) => renderMessages(m.template, msgs, tools);
    // A cut the template rejects (e.g. roles no longer alternating) counts as not fitting.
    const tryRender = (msgs: ChatMessage[]) => {
      try {
        return render(msgs);
      } catch (e) {
        if (msgs.length === messages.length) throw e;
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
    const fitted =
      input.truncate === false ? undefined : await fitHistory(messages, budget, tryRender, count);
    const prompt =
      fitted && fitted.prompt !== REJECTED ? fitted.prompt : render(fitted?.messages ?? messages);
    deps.logger.debug("chat prompt", { model: m.name, prompt });
    const parser = tools
      ? new ToolCallParser(
          toolCallTag(m.template),
          tools.map((t) => t.function.name),
        )
      : undefined;
    return {
      kind: "stream",
      model: m.name,
      events: streamCompletion({
        lease,
        request: runnerRequest(tokenized.get(prompt) ?? prompt, p, input),
        signal,
        startedAt,
        loadNs,
        parser,
      }),
    };
  } catch (e) {
    lease.release();
    throw e;
  }
}
