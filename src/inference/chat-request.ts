/**
 * A chat request checked against its model before any runner is needed: images, think, roles, options, tools.
 * Shared by chat and count-tokens, so both render exactly the same conversation.
 */
import { InvalidInputError } from "../errors.ts";
import type { ChatMessage } from "../templates/index.ts";
import type { ChatInput } from "./chat.ts";
import type { InferenceDeps } from "./deps.ts";
import { checkImages, requireVision } from "./images.ts";
import { requireCapability, type ResolvedModel, resolveModel } from "./model.ts";
import { type Prepared, parseThink, prepare } from "./request.ts";
import { planTools, type ToolPlan } from "./tools/plan.ts";

/** Everything decided about a chat before scheduling. */
export interface PreparedChat {
  m: ResolvedModel;
  p: Prepared;
  /** Tool family, parser and grammar from the template and tool_choice. */
  toolPlan: ToolPlan;
  /** The messages the client sent: roles lower-cased, missing content as "". */
  asked: ChatMessage[];
  /** The conversation to render: the model's stored system prompt and messages, then `asked`. */
  messages: ChatMessage[];
}

const ROLES = new Set(["system", "user", "assistant", "tool"]);

/** Checks a chat request (400s and 404s) and resolves its model, options and tool plan. */
export async function prepareChat(deps: InferenceDeps, input: ChatInput): Promise<PreparedChat> {
  const images = (input.messages ?? []).flatMap((msg) => msg.images ?? []);
  checkImages(images);
  // A malformed `think` fails while decoding in Ollama, before the model is looked up.
  parseThink(input.think);
  const asked: ChatMessage[] = (input.messages ?? []).map((msg) => ({
    ...msg,
    role: msg.role.toLowerCase(),
    content: msg.content ?? "",
  }));
  for (const msg of asked) if (!ROLES.has(msg.role)) throw new InvalidInputError(`invalid role: ${msg.role}`);
  const m = await resolveModel(deps, input.model, "chat");
  const p = prepare(deps, m, input, "chat");
  requireVision(m, images.length);
  // 400s for bad tools or choice.
  const toolPlan = planTools({
    template: m.template,
    tools: input.tools,
    choice: input.toolChoice,
    parallel: input.parallelToolCalls,
    format: input.format,
  });
  if (toolPlan.tools) requireCapability(m, "tools");
  const messages: ChatMessage[] = [...m.stored.messages, ...asked];
  if (m.stored.system && asked[0]?.role !== "system")
    messages.unshift({ role: "system", content: m.stored.system });
  return { m, p, toolPlan, asked, messages };
}
