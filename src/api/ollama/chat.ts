/** POST /api/chat. */
import { Elysia, t } from "elysia";
import { type CompletionEvent, chat, type InferenceDeps } from "../../inference/index.ts";
import { jsonBody } from "../body.ts";
import type { Tool as TemplateTool } from "../../templates/index.ts";
import { CompletionFields, Message, now, Tool } from "./common.ts";
import { finalFields, respond } from "./completion.ts";

/** ChatRequest. */
export const ChatRequest = t.Object({
  model: t.String(),
  messages: t.Optional(t.Array(Message)),
  tools: t.Optional(t.Array(Tool)),
  ...CompletionFields,
});
/** ChatRequest. */
export type ChatRequest = typeof ChatRequest.static;

function message(content: string, toolCalls?: unknown[]) {
  return { role: "assistant", content, ...(toolCalls?.length ? { tool_calls: toolCalls } : {}) };
}

function chunk(model: string, e: CompletionEvent): Record<string, unknown> {
  const base = { model, created_at: now(), message: message(e.content, e.toolCalls) };
  if (!e.done) return { ...base, done: false, ...(e.logprobs ? { logprobs: e.logprobs } : {}) };
  return { ...base, ...finalFields(e) };
}

/** The /api/chat route. */
export function chatRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "ollama-chat" }).post(
    "/api/chat",
    async ({ body, request }) => {
      const r = await chat(
        deps,
        { ...body, tools: body.tools as TemplateTool[] | undefined },
        request.signal,
      );
      return respond(
        r,
        body.stream,
        {
          empty: { message: message("") },
          chunk,
          whole: (all) => ({ message: message(all.content, all.toolCalls) }),
        },
        deps.logger,
      );
    },
    { body: ChatRequest, parse: jsonBody(ChatRequest) },
  );
}
