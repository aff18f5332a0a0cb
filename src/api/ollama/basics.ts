/** GET/HEAD / and /api/version. */
import { Elysia } from "elysia";
import { VERSION } from "../../version.ts";

const text = (body: string | null) =>
  new Response(body, { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } });

/** Liveness and version routes. */
export function basicRoutes() {
  return new Elysia({ name: "ollama-basics" })
    .get("/", () => text("Ollama is running"))
    .head("/", () => text(null))
    .get("/api/version", () => ({ version: VERSION }))
    .head("/api/version", () => new Response(null, { status: 200 }));
}
