/** GET /api/tags, POST /api/show, GET /api/ps, POST /api/copy, DELETE /api/delete. */
import { Elysia, t } from "elysia";
import {
  copyModel,
  deleteModel,
  type InferenceDeps,
  listModels,
  runningModels,
  show,
} from "../../inference/index.ts";
import { jsonBody } from "../body.ts";
import { Options } from "./common.ts";

/** ShowRequest (`name` is the deprecated spelling of `model`; `template` is deprecated and ignored). */
export const ShowRequest = t.Object({
  model: t.Optional(t.String()),
  name: t.Optional(t.String()),
  system: t.Optional(t.String()),
  template: t.Optional(t.String()),
  verbose: t.Optional(t.Boolean()),
  options: Options,
});

/** CopyRequest. */
export const CopyRequest = t.Object({ source: t.Optional(t.String()), destination: t.Optional(t.String()) });

/** DeleteRequest (`name` is the deprecated spelling of `model`). */
export const DeleteRequest = t.Object({ model: t.Optional(t.String()), name: t.Optional(t.String()) });

const empty = () => new Response(null, { status: 200 });

/** Model management routes. */
export function modelRoutes(deps: InferenceDeps) {
  const tags = async () => ({ models: await listModels(deps) });
  return new Elysia({ name: "ollama-models" })
    .get("/api/tags", tags)
    .head("/api/tags", async () => {
      await listModels(deps);
      return empty();
    })
    .post(
      "/api/show",
      ({ body, request }) => show(deps, { ...body, userAgent: request.headers.get("user-agent") ?? "" }),
      { body: ShowRequest, parse: jsonBody(ShowRequest) },
    )
    .get("/api/ps", async () => ({ models: await runningModels(deps) }))
    .post(
      "/api/copy",
      async ({ body }) => {
        await copyModel(deps, body.source, body.destination);
        return empty();
      },
      { body: CopyRequest, parse: jsonBody(CopyRequest) },
    )
    .delete(
      "/api/delete",
      async ({ body }) => {
        await deleteModel(deps, body.model || body.name);
        return empty();
      },
      { body: DeleteRequest, parse: jsonBody(DeleteRequest) },
    );
}
