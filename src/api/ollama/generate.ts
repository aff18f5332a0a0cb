/** POST /api/generate. */
import { Elysia, t } from "elysia";
import { type CompletionEvent, generate, type InferenceDeps } from "../../inference/index.ts";
import { jsonBody } from "../body.ts";
import { checkGenerateContent, limitsOf } from "../limits/index.ts";
import { CompletionFields, Int, now } from "./common.ts";
import { finalFields, respond } from "./completion.ts";

/** GenerateRequest. */
export const GenerateRequest = t.Object({
  model: t.Optional(t.String()),
  prompt: t.Optional(t.String()),
  suffix: t.Optional(t.String()),
  system: t.Optional(t.String()),
  template: t.Optional(t.String()),
  context: t.Optional(t.Array(Int())),
  raw: t.Optional(t.Boolean()),
  images: t.Optional(t.Array(t.String())),
  ...CompletionFields,
});
/** GenerateRequest. */
export type GenerateRequest = typeof GenerateRequest.static;

function chunk(model: string, e: CompletionEvent): Record<string, unknown> {
  const base = {
    model,
    created_at: now(),
    response: e.content,
    ...(e.thinking ? { thinking: e.thinking } : {}),
  };
  if (!e.done) return { ...base, done: false, ...(e.logprobs ? { logprobs: e.logprobs } : {}) };
  return { ...base, ...finalFields(e), ...(e.context ? { context: e.context } : {}) };
}

/** The /api/generate route. */
export function generateRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "ollama-generate" }).post(
    "/api/generate",
    async ({ body, request }) => {
      checkGenerateContent(limitsOf(request), body);
      const input = { ...body, model: body.model ?? "", unwatched: body.stream === false };
      const r = await generate(deps, input, request.signal);
      return respond(
        r,
        body.stream,
        {
          empty: { response: "" },
          chunk,
          whole: (all) => ({ response: all.content, ...(all.thinking ? { thinking: all.thinking } : {}) }),
        },
        deps.logger,
      );
    },
    { body: GenerateRequest, parse: jsonBody(GenerateRequest) },
  );
}
