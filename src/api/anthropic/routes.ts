/**
 * The Anthropic Messages API: POST /v1/messages (JSON or server-sent events) and
 * POST /v1/messages/count_tokens. Errors take Anthropic's shape (error-shapes.ts picks it by path).
 * `x-api-key`, `anthropic-version` and `anthropic-beta` headers are accepted and need no handling here.
 */
import { Elysia } from "elysia";
import { InvalidInputError } from "../../errors.ts";
import { type ChatInput, chat, countTokens, type InferenceDeps, show } from "../../inference/index.ts";
import { jsonBody } from "../body.ts";
import { byRole, checkChatContent, limitsOf } from "../limits/index.ts";
import { sseResponse } from "../sse.ts";
import { MessageAssembler, streamShape } from "./assemble.ts";
import { chatRequest, promptInput } from "./request.ts";
import { CountTokensRequest, MessagesRequest } from "./schema.ts";

/**
 * Agents that speak this API ask for thinking whatever model they are pointed at; for a model that cannot
 * think the request is answered without thinking rather than refused (as Ollama does for these clients).
 */
async function thinkIfAble(deps: InferenceDeps, input: ChatInput): Promise<ChatInput> {
  if (!input.think) return input;
  const { capabilities } = await show(deps, { model: input.model });
  return capabilities?.includes("thinking") ? input : { ...input, think: undefined };
}

/** The Anthropic routes. */
export function anthropicRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "anthropic" })
    .post(
      "/v1/messages",
      async ({ body, request }) => {
        const { input, shape } = chatRequest(body);
        checkChatContent(limitsOf(request), input.messages, byRole);
        const r = await chat(
          deps,
          await thinkIfAble(deps, { ...input, unwatched: !body.stream }),
          request.signal,
        );
        if (r.kind !== "stream") throw new InvalidInputError("messages: at least one message is required");
        const answer = new MessageAssembler(body.model, shape);
        if (body.stream) return sseResponse(r.events, streamShape(answer), deps.logger);
        for await (const e of r.events) answer.add(e);
        return answer.message;
      },
      { body: MessagesRequest, parse: jsonBody(MessagesRequest) },
    )
    .post(
      "/v1/messages/count_tokens",
      async ({ body, request }) => {
        const prompt = promptInput(body);
        checkChatContent(limitsOf(request), prompt.messages, byRole);
        const input = await thinkIfAble(deps, prompt);
        const { count } = await countTokens(deps, input, request.signal);
        return { input_tokens: count };
      },
      { body: CountTokensRequest, parse: jsonBody(CountTokensRequest) },
    );
}
