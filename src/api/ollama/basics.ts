/** GET/HEAD / and /api/version. */
import { Elysia } from "elysia";
import { OLLAMA_VERSION, VERSION } from "../../version.ts";
import { rootPage, wantsPage } from "../ops/ui.ts";

const text = (body: string | null) =>
  new Response(body, { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } });

/** `version` is the Ollama API version clients gate features on; `tsllm_version` is tsllm's own. */
const version = () => ({ version: OLLAMA_VERSION, tsllm_version: VERSION });

/**
 * Liveness and version routes (HEAD answers as GET, as Ollama registers both). With `uiLink`, a browser
 * asking for a page gets the same text with a link to /ui; every other client gets the exact text.
 */
export function basicRoutes(opts: { uiLink?: boolean } = {}) {
  return new Elysia({ name: "ollama-basics" })
    .get("/", ({ request }) => (opts.uiLink && wantsPage(request) ? rootPage() : text("Ollama is running")))
    .head("/", () => text("Ollama is running"))
    .get("/api/version", version)
    .head("/api/version", version);
}
