/** GET/HEAD / and /api/version. */
import { Elysia } from "elysia";
import { OLLAMA_VERSION, VERSION } from "../../version.ts";

const text = (body: string | null) =>
  new Response(body, { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } });

/** `version` is the Ollama API version clients gate features on; `tsllm_version` is tsllm's own. */
const version = () => ({ version: OLLAMA_VERSION, tsllm_version: VERSION });

/** Liveness and version routes (HEAD answers as GET, as Ollama registers both). */
export function basicRoutes() {
  return new Elysia({ name: "ollama-basics" })
    .get("/", () => text("Ollama is running"))
    .head("/", () => text("Ollama is running"))
    .get("/api/version", version)
    .head("/api/version", version);
}
