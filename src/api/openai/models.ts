/** GET /v1/models and GET /v1/models/{model}, in Ollama's shape: id, object, created, owned_by (namespace). */
import { Elysia } from "elysia";
import type { InferenceDeps } from "../../inference/index.ts";
import type { ListedModel } from "../../store/index.ts";

function model(m: ListedModel, id = m.name) {
  return {
    id,
    object: "model",
    created: Math.floor(m.modifiedAt.getTime() / 1000),
    owned_by: m.fullName.namespace,
  };
}

/** The model routes; a model name may contain slashes (`hf.co/user/model:tag`). */
export function modelRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "openai-models" })
    .get("/v1/models", async () => ({ object: "list", data: (await deps.store.list()).map((m) => model(m)) }))
    .get("/v1/models/*", async ({ params }) => {
      const name = decodeURIComponent(params["*"]);
      return model(await deps.store.get(name), name);
    });
}
