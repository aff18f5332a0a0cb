/** POST /v1/chat/completions. */
import { Elysia, t } from "elysia";
import { type ChatInput, chat, type InferenceDeps } from "../../inference/index.ts";
import { jsonBody } from "../body.ts";
import { checkChatContent, limitsOf } from "../limits/index.ts";
import { aggregate } from "../ollama/completion.ts";
import { sseResponse } from "../sse.ts";
import { chatChunks, chatCompletion } from "./chat-output.ts";
import { eventsOf } from "./collect.ts";
import { OpenAIParamError, unsupported } from "./errors.ts";
import { chatMessages, Message } from "./messages.ts";
import {
  newId,
  SamplingFields,
  samplingInput,
  singleChoice,
  thinkValue,
  topLogprobs,
  unixNow,
} from "./params.ts";
import { FormatIn, formatOf, ToolChoiceIn, ToolIn, toolInput } from "./tools.ts";

/**
 * The request. Accepted and ignored: user, store, metadata, service_tier, prompt_cache_key,
 * safety_identifier. Extensions: `options` (Ollama options), `keep_alive`, `think` and
 * `reasoning: {effort}` (Ollama's spellings of reasoning_effort).
 */
export const ChatCompletionRequest = t.Object({
  model: t.String(),
  messages: t.Array(Message),
  stream: t.Optional(t.Boolean()),
  stream_options: t.Optional(t.Object({ include_usage: t.Optional(t.Boolean()) })),
  max_tokens: t.Optional(t.Integer()),
  max_completion_tokens: t.Optional(t.Integer()),
  n: t.Optional(t.Integer()),
  tools: t.Optional(t.Array(ToolIn)),
  tool_choice: t.Optional(ToolChoiceIn),
  parallel_tool_calls: t.Optional(t.Boolean()),
  response_format: t.Optional(FormatIn),
  reasoning_effort: t.Optional(t.String()),
  reasoning: t.Optional(t.Object({ effort: t.Optional(t.String()) })),
  think: t.Optional(t.Union([t.Boolean(), t.String()])),
  logprobs: t.Optional(t.Boolean()),
  top_logprobs: t.Optional(t.Integer()),
  modalities: t.Optional(t.Array(t.String())),
  audio: t.Optional(t.Unknown()),
  functions: t.Optional(t.Unknown()),
  function_call: t.Optional(t.Unknown()),
  prediction: t.Optional(t.Unknown()),
  web_search_options: t.Optional(t.Unknown()),
  ...SamplingFields,
});
/** The request. */
export type ChatCompletionRequest = typeof ChatCompletionRequest.static;

/** Fields OpenAI defines that this server cannot honour: a 400 naming each rather than silent misbehaviour. */
function refuseUnsupported(r: ChatCompletionRequest): void {
  singleChoice("n", r.n);
  if (r.audio !== undefined || r.modalities?.some((m) => m !== "text"))
    throw unsupported(r.audio !== undefined ? "audio" : "modalities", "Audio output");
  if (r.functions !== undefined) throw unsupported("functions", "functions (use tools)");
  if (r.function_call !== undefined) throw unsupported("function_call", "function_call (use tool_choice)");
  if (r.prediction !== undefined) throw unsupported("prediction", "Predicted outputs");
  if (r.web_search_options !== undefined) throw unsupported("web_search_options", "Web search");
  if (r.messages.length === 0)
    throw new OpenAIParamError(
      "messages",
      "Invalid 'messages': empty array. Expected an array with minimum length 1.",
    );
}

/** The service input for a request. */
export function chatInput(r: ChatCompletionRequest): ChatInput {
  refuseUnsupported(r);
  const tools = toolInput(r);
  const maxParam = r.max_completion_tokens !== undefined ? "max_completion_tokens" : "max_tokens";
  const think = thinkValue(
    r.think,
    r.reasoning?.effort ?? r.reasoning_effort,
    r.reasoning ? "reasoning.effort" : "reasoning_effort",
  );
  return {
    model: r.model,
    messages: chatMessages(r.messages),
    ...tools,
    format: formatOf(r.response_format, "response_format"),
    ...samplingInput(r, { param: maxParam, value: r.max_completion_tokens ?? r.max_tokens }),
    ...(think !== undefined ? { think } : {}),
    ...(r.logprobs ? { logprobs: true, top_logprobs: topLogprobs(r.top_logprobs) ?? 0 } : {}),
  };
}

/** The /v1/chat/completions route. */
export function chatRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "openai-chat" }).post(
    "/v1/chat/completions",
    async ({ body, request }) => {
      const input = { ...chatInput(body), unwatched: !body.stream };
      checkChatContent(limitsOf(request), input.messages);
      const r = await chat(deps, input, request.signal);
      const h = { id: newId("chatcmpl-"), created: unixNow(), model: r.model };
      if (body.stream)
        return sseResponse(
          eventsOf(r),
          chatChunks(h, body.stream_options?.include_usage === true),
          deps.logger,
        );
      return chatCompletion(h, await aggregate(eventsOf(r)), input.logprobs === true);
    },
    { body: ChatCompletionRequest, parse: jsonBody(ChatCompletionRequest) },
  );
}
