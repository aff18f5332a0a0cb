/** POST /api/tokenize and /api/detokenize (`text` or `content` in, `tokens`/`text` out). */
import { Elysia, t } from "elysia";
import { detokenize, type InferenceDeps, tokenize } from "../../inference/index.ts";
import { jsonBody } from "../body.ts";
import { checkText, limitsOf } from "../limits/index.ts";
import { Int, KeepAlive, Options } from "./common.ts";

/** TokenizeRequest. */
export const TokenizeRequest = t.Object({
  model: t.Optional(t.String()),
  text: t.Optional(t.String()),
  content: t.Optional(t.String()),
  keep_alive: KeepAlive,
  options: Options,
});

/** DetokenizeRequest. */
export const DetokenizeRequest = t.Object({
  model: t.Optional(t.String()),
  tokens: t.Optional(t.Array(Int())),
  keep_alive: KeepAlive,
  options: Options,
});

/** Tokenizer routes. */
export function tokenizeRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "ollama-tokenize" })
    .post(
      "/api/tokenize",
      ({ body, request }) => {
        const text = body.text ?? body.content ?? "";
        checkText(limitsOf(request), body.text !== undefined ? "text" : "content", text);
        return tokenize(deps, { ...body, text }, request.signal);
      },
      { body: TokenizeRequest, parse: jsonBody(TokenizeRequest) },
    )
    .post(
      "/api/detokenize",
      ({ body, request }) => detokenize(deps, { ...body, tokens: body.tokens ?? [] }, request.signal),
      {
        body: DetokenizeRequest,
        parse: jsonBody(DetokenizeRequest),
      },
    );
}
