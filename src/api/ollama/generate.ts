/** POST /api/generate. */
import { Elysia, t } from "elysia";
import { type CompletionEvent, generate, type InferenceDeps } from "../../inference/index.ts";
import { jsonBody } from "../body.ts";
import { ndjsonResponse } from "../ndjson.ts";
import { CompletionFields, now } from "./common.ts";
import { aggregate, finalFields } from "./completion.ts";

/** GenerateRequest. */
export const GenerateRequest = t.Object({
  model: t.String(),
  prompt: t.Optional(t.String()),
  suffix: t.Optional(t.String()),
  system: t.Optional(t.String()),
  template: t.Optional(t.String()),
  context: t.Optional(t.Array(t.Integer())),
  raw: t.Optional(t.Boolean()),
  images: t.Optional(t.Array(t.String())),
  ...CompletionFields,
});
/** GenerateRequest. */
export type GenerateRequest = typeof GenerateRequest.static;

function chunk(model: string, e: CompletionEvent): Record<string, unknown> {
  const base = { model, created_at: now(), response: e.content };
  if (!e.done) return { ...base, done: false, ...(e.logprobs ? { logprobs: e.logprobs } : {}) };
  return { ...base, ...finalFields(e), ...(e.context ? { context: e.context } : {}) };
}

/** The /api/generate route. */
export function generateRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "ollama-generate" }).post(
    "/api/generate",
    async ({ body, request }) => {
      const r = await generate(deps, body, request.signal);
      if (r.kind === "lifecycle")
        return Response.json({
          model: r.model,
          created_at: now(),
          response: "",
          done: true,
          done_reason: r.reason,
        });
      if (body.stream !== false) return ndjsonResponse(r.events, (e) => chunk(r.model, e), deps.logger);
      const all = await aggregate(r.events);
      return Response.json({
        ...chunk(r.model, all.final),
        response: all.content,
        ...(all.logprobs.length ? { logprobs: all.logprobs } : {}),
      });
    },
    { body: GenerateRequest, parse: jsonBody(GenerateRequest) },
  );
}
