/** POST /api/embed and the legacy POST /api/embeddings. */
import { Elysia, t } from "elysia";
import { embed, embeddings, type InferenceDeps } from "../../inference/index.ts";
import { jsonBody } from "../body.ts";
import { checkEmbedContent, limitsOf } from "../limits/index.ts";
import { Int, KeepAlive, Options } from "./common.ts";

/** EmbedRequest; `input` is a string or a list of strings (checked by the service: `invalid input type`). */
export const EmbedRequest = t.Object({
  model: t.Optional(t.String()),
  input: t.Optional(t.Unknown()),
  truncate: t.Optional(t.Boolean()),
  dimensions: t.Optional(Int()),
  keep_alive: KeepAlive,
  options: Options,
});
/** EmbedRequest. */
export type EmbedRequest = typeof EmbedRequest.static;

/** EmbeddingsRequest (legacy). */
export const EmbeddingsRequest = t.Object({
  model: t.Optional(t.String()),
  prompt: t.Optional(t.String()),
  keep_alive: KeepAlive,
  options: Options,
});
/** EmbeddingsRequest (legacy). */
export type EmbeddingsRequest = typeof EmbeddingsRequest.static;

/** The two embedding routes. */
export function embedRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "ollama-embed" })
    .post(
      "/api/embed",
      ({ body, request }) => {
        checkEmbedContent(limitsOf(request), body.input);
        return embed(deps, body, request.signal);
      },
      {
        body: EmbedRequest,
        parse: jsonBody(EmbedRequest),
      },
    )
    .post(
      "/api/embeddings",
      ({ body, request }) => {
        checkEmbedContent(limitsOf(request), body.prompt, "prompt");
        return embeddings(deps, body, request.signal);
      },
      {
        body: EmbeddingsRequest,
        parse: jsonBody(EmbeddingsRequest),
      },
    );
}
