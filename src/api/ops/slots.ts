/** `GET /api/slots`: per loaded model, its slots (state, cached tokens, progress) and KV cache use. */
import { Elysia } from "elysia";
import { type InferenceDeps, modelSlots } from "../../inference/index.ts";

/** The slots route. */
export function slotsRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "ops-slots" }).get("/api/slots", async () => ({
    models: await modelSlots(deps),
  }));
}
