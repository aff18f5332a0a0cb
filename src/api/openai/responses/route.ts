/**
 * POST /v1/responses (stateless input, or continuing a stored response through previous_response_id),
 * GET and DELETE /v1/responses/{id}. Finished responses are kept in a bounded in-memory ResponsesStore
 * unless the request says `store: false`; instructions are not carried over to a follow-up (as OpenAI).
 */
import { Elysia } from "elysia";
import { type ChatInput, chat, type InferenceDeps, type ResponsesStore } from "../../../inference/index.ts";
import type { ChatMessage } from "../../../templates/index.ts";
import { jsonBody } from "../../body.ts";
import { byRole, checkChatContent, limitsOf } from "../../limits/index.ts";
import { sseResponse } from "../../sse.ts";
import { eventsOf } from "../collect.ts";
import { OpenAIParamError, PreviousResponseNotFoundError, ResponseNotFoundError } from "../errors.ts";
import { samplingInput, thinkValue, topLogprobs, unixNow } from "../params.ts";
import { formatOf, functionTools, toolInput } from "../tools.ts";
import { newResponseId, ResponseBuilder } from "./builder.ts";
import { inputMessages, refuseUnsupported, ResponsesRequest } from "./request.ts";
import { responseEvents } from "./stream.ts";

/** The request fields every response object echoes. */
function head(r: ResponsesRequest, model: string): Record<string, unknown> {
  return {
    created_at: unixNow(),
    background: false,
    error: null,
    instructions: r.instructions ?? null,
    max_output_tokens: r.max_output_tokens ?? null,
    max_tool_calls: null,
    model,
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    previous_response_id: r.previous_response_id ?? null,
    reasoning: { effort: r.reasoning?.effort ?? null, summary: r.reasoning?.summary ?? null },
    service_tier: "default",
    store: r.store ?? true,
    temperature: r.temperature ?? 1,
    text: { format: r.text?.format ?? { type: "text" }, verbosity: r.text?.verbosity ?? "medium" },
    tool_choice: r.tool_choice ?? "auto",
    tools: functionTools(r.tools).map((x, i) => ({
      type: "function",
      name: x.function.name,
      description: x.function.description ?? null,
      parameters: x.function.parameters ?? null,
      strict: r.tools?.[i]?.strict ?? null,
    })),
    top_logprobs: r.top_logprobs ?? 0,
    top_p: r.top_p ?? 1,
    truncation: r.truncation ?? "disabled",
    user: null,
    metadata: r.metadata ?? {},
  };
}

/** The service input and the conversation it continues. */
function prepare(r: ResponsesRequest, store: ResponsesStore) {
  refuseUnsupported(r);
  const prev = r.previous_response_id;
  const history = prev ? store.get(prev)?.conversation : [];
  if (!history) throw new PreviousResponseNotFoundError(prev as string);
  const added = inputMessages(r.input, history);
  if (history.length + added.length === 0)
    throw new OpenAIParamError("input", "Missing required parameter: 'input'.");
  const tools = toolInput(r);
  const withLogprobs = r.include?.includes("message.output_text.logprobs") === true;
  const think = thinkValue(r.think, r.reasoning?.effort, "reasoning.effort");
  const system: ChatMessage[] = r.instructions ? [{ role: "system", content: r.instructions }] : [];
  const input: ChatInput = {
    model: r.model,
    messages: [...system, ...history, ...added],
    ...tools,
    format: formatOf(r.text?.format, "text.format"),
    ...samplingInput(r, { param: "max_output_tokens", value: r.max_output_tokens }),
    ...(think !== undefined ? { think } : {}),
    ...(withLogprobs ? { logprobs: true, top_logprobs: topLogprobs(r.top_logprobs) ?? 0 } : {}),
  };
  return { input, conversation: [...history, ...added], withLogprobs };
}

/** The Responses API routes over `store`. */
export function responsesRoutes(deps: InferenceDeps, store: ResponsesStore) {
  return new Elysia({ name: "openai-responses" })
    .post(
      "/v1/responses",
      async ({ body, request }) => {
        const p = prepare(body, store);
        checkChatContent(limitsOf(request), p.input.messages, byRole);
        const r = await chat(deps, { ...p.input, unwatched: !body.stream }, request.signal);
        const id = newResponseId();
        const b = new ResponseBuilder(id, head(body, r.model), p.withLogprobs);
        const save = () => {
          if (body.store !== false)
            store.put(id, { conversation: [...p.conversation, b.message()], response: b.response() });
        };
        if (!body.stream) {
          for await (const e of eventsOf(r)) b.push(e);
          save();
          return b.response();
        }
        return sseResponse(eventsOf(r), responseEvents(b, save), deps.logger);
      },
      { body: ResponsesRequest, parse: jsonBody(ResponsesRequest) },
    )
    .get("/v1/responses/:id", ({ params }) => {
      const found = store.get(params.id);
      if (!found) throw new ResponseNotFoundError(params.id);
      return found.response;
    })
    .delete("/v1/responses/:id", ({ params }) => {
      if (!store.delete(params.id)) throw new ResponseNotFoundError(params.id);
      return { id: params.id, object: "response.deleted", deleted: true };
    });
}
