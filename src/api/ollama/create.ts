/** POST /api/create (JSON form) with streamed progress. */
import { Elysia, t } from "elysia";
import { create, type InferenceDeps } from "../../inference/index.ts";
import { jsonBody } from "../body.ts";
import { lastOf, ndjsonResponse } from "../ndjson.ts";
import { Message } from "./common.ts";

/** CreateRequest. */
export const CreateRequest = t.Object({
  model: t.Optional(t.String()),
  name: t.Optional(t.String()),
  stream: t.Optional(t.Boolean()),
  from: t.Optional(t.String()),
  files: t.Optional(t.Record(t.String(), t.String())),
  adapters: t.Optional(t.Record(t.String(), t.String())),
  draft_files: t.Optional(t.Record(t.String(), t.String())),
  template: t.Optional(t.String()),
  system: t.Optional(t.String()),
  license: t.Optional(t.Union([t.String(), t.Array(t.String())])),
  parameters: t.Optional(t.Record(t.String(), t.Unknown())),
  messages: t.Optional(t.Array(Message)),
  quantize: t.Optional(t.String()),
  quantization: t.Optional(t.String()),
  renderer: t.Optional(t.String()),
  parser: t.Optional(t.String()),
  requires: t.Optional(t.String()),
});
/** CreateRequest. */
export type CreateRequest = typeof CreateRequest.static;

/** The /api/create route. */
export function createRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "ollama-create" }).post(
    "/api/create",
    async ({ body, request }) => {
      const messages = body.messages?.map((m) => ({ role: m.role, content: m.content ?? "" }));
      const progress = await create(deps, { ...body, messages }, request.signal);
      if (body.stream !== false) return ndjsonResponse(progress, (p) => p, deps.logger);
      return (await lastOf(progress)) ?? { status: "success" };
    },
    { body: CreateRequest, parse: jsonBody(CreateRequest) },
  );
}
