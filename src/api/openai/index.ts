/**
 * The OpenAI-compatible API under /v1: chat completions, completions, embeddings, models, responses and
 * rerank (llama-server's /v1/rerank).
 * Errors everywhere under /v1 (but /v1/messages) use OpenAI's body (see errors.ts, wired by
 * ../error-shapes.ts).
 */
import { Elysia } from "elysia";
import { type InferenceDeps, ResponsesStore } from "../../inference/index.ts";
import { chatRoutes } from "./chat.ts";
import { completionRoutes } from "./completions.ts";
import { embeddingRoutes } from "./embeddings.ts";
import { modelRoutes } from "./models.ts";
import { rerankRoutes } from "./rerank.ts";
import { responsesRoutes } from "./responses/route.ts";

/** What the OpenAI routes keep between requests. */
export interface OpenAIState {
  /** Finished responses for previous_response_id (default: a store with its default bounds). */
  responses?: ResponsesStore;
}

/** Every /v1 route of the OpenAI API. */
export function openaiRoutes(deps: InferenceDeps, state: OpenAIState = {}) {
  return new Elysia({ name: "openai" })
    .use(chatRoutes(deps))
    .use(completionRoutes(deps))
    .use(embeddingRoutes(deps))
    .use(rerankRoutes(deps))
    .use(modelRoutes(deps))
    .use(responsesRoutes(deps, state.responses ?? new ResponsesStore()));
}
