/**
 * POST /v1/rerank: the route llama-server serves for Jina- and Cohere-style clients, with its answer's exact
 * fields (`model`, `object`, `usage`, `results`); errors in OpenAI's shape (under /v1).
 */
import { Elysia } from "elysia";
import type { InferenceDeps } from "../../inference/index.ts";
import { rerank } from "../../inference/rerank.ts";
import { jsonBody } from "../body.ts";
import { RerankRequest, rerankLimits } from "../ollama/rerank.ts";

/** The /v1/rerank route. */
export function rerankRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "openai-rerank" }).post(
    "/v1/rerank",
    async ({ body, request }) => {
      const r = await rerank(deps, body, rerankLimits(request, body), request.signal);
      return { model: r.model, object: r.object, usage: r.usage, results: r.results };
    },
    { body: RerankRequest, parse: jsonBody(RerankRequest) },
  );
}
