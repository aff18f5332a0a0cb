/**
 * POST /api/rerank: llama-server's (Jina's, Cohere's) rerank shape — `{model, query, documents, top_n?,
 * return_documents?}` → `{model, object, results: [{index, relevance_score, document?}], usage}` — plus
 * Ollama's total_duration and load_duration. Documents are strings or objects with a `text`.
 */
import { Elysia, t } from "elysia";
import type { InferenceDeps } from "../../inference/index.ts";
import { type RerankInput, type RerankLimit, rerank } from "../../inference/rerank.ts";
import { jsonBody } from "../body.ts";
import { checkEmbedContent, checkText, limitsOf } from "../limits/index.ts";
import { LIMIT_SETTING } from "../limits/settings.ts";
import { Int, KeepAlive, Options } from "./common.ts";

/** A document: its text, or an object with a `text` (other fields are echoed with return_documents). */
export const RerankDocument = t.Union([t.String(), t.Object({ text: t.String() })]);

/** RerankRequest. */
export const RerankRequest = t.Object({
  model: t.Optional(t.String()),
  query: t.String(),
  documents: t.Optional(t.Array(RerankDocument)),
  top_n: t.Optional(Int()),
  return_documents: t.Optional(t.Boolean()),
  keep_alive: KeepAlive,
  options: Options,
});
/** RerankRequest. */
export type RerankRequest = typeof RerankRequest.static;

/** Checks the request's texts against the content limits and returns its document limit. */
export function rerankLimits(request: Request, body: RerankInput): RerankLimit {
  const limits = limitsOf(request);
  checkText(limits, "query", body.query, "query");
  const texts = body.documents?.map((d) => (typeof d === "string" ? d : d.text));
  checkEmbedContent(limits, texts, "documents");
  return { maxDocuments: limits.maxRerankDocuments, setting: LIMIT_SETTING.maxRerankDocuments };
}

/** The /api/rerank route. */
export function rerankRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "ollama-rerank" }).post(
    "/api/rerank",
    ({ body, request }) => rerank(deps, body, rerankLimits(request, body), request.signal),
    { body: RerankRequest, parse: jsonBody(RerankRequest) },
  );
}
