/** POST /api/chat. */
import { Elysia, t } from "elysia";
import { type CompletionEvent, chat, type InferenceDeps, type ToolChoice } from "../../inference/index.ts";
import { jsonBody } from "../body.ts";
import { checkChatContent, limitsOf } from "../limits/index.ts";
import type { Tool as TemplateTool } from "../../templates/index.ts";
import { CompletionFields, Message, now, Tool } from "./common.ts";
import { finalFields, respond } from "./completion.ts";

/** ChatRequest. */
export const ChatRequest = t.Object({
  model: t.Optional(t.String()),
  messages: t.Optional(t.Array(Message)),
  tools: t.Optional(t.Array(Tool)),
  /**
   * tsllm extension (Ollama's ChatRequest has no such field): "auto" | "none" | "required" | {name} (also
   * `{type: "function", name}` and `{type: "function", function: {name}}`). Other shapes are ignored, as
   * Ollama ignores the field: clients that send it anyway keep working.
   */
  tool_choice: t.Optional(t.Unknown()),
  ...CompletionFields,
});
/** ChatRequest. */
export type ChatRequest = typeof ChatRequest.static;

function message(content: string, thinking?: string, toolCalls?: unknown[]) {
  return {
    role: "assistant",
    content,
    ...(thinking ? { thinking } : {}),
    ...(toolCalls?.length ? { tool_calls: toolCalls } : {}),
  };
}

function chunk(model: string, e: CompletionEvent): Record<string, unknown> {
  const base = { model, created_at: now(), message: message(e.content, e.thinking, e.toolCalls) };
  if (!e.done) return { ...base, done: false, ...(e.logprobs ? { logprobs: e.logprobs } : {}) };
  return { ...base, ...finalFields(e) };
}

/** The extension field as the service takes it; undefined for shapes it does not know. */
function toolChoice(c: unknown): ToolChoice | undefined {
  if (c === "auto" || c === "none" || c === "required") return c;
  if (typeof c !== "object" || c === null) return undefined;
  const o = c as { name?: unknown; function?: { name?: unknown } };
  const name = o.function?.name ?? o.name;
  return typeof name === "string" ? { name } : undefined;
}

/** The /api/chat route. */
export function chatRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "ollama-chat" }).post(
    "/api/chat",
    async ({ body, request }) => {
      checkChatContent(limitsOf(request), body.messages);
      const r = await chat(
        deps,
        {
          ...body,
          model: body.model ?? "",
          tools: body.tools as TemplateTool[] | undefined,
          toolChoice: toolChoice(body.tool_choice),
          unwatched: body.stream === false,
        },
        request.signal,
      );
      return respond(
        r,
        body.stream,
        {
          empty: { message: message("") },
          chunk,
          whole: (all) => ({ message: message(all.content, all.thinking, all.toolCalls) }),
        },
        deps.logger,
      );
    },
    { body: ChatRequest, parse: jsonBody(ChatRequest) },
  );
}
