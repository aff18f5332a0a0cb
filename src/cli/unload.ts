/** Unloading a model: an empty /api/generate with keep_alive 0, as `ollama stop` and `ollama rm` send. */
import type { ApiClient } from "./http.ts";
import type { GenerateChunk } from "./wire.ts";

/** Asks the server to unload `model` now; resolves once it answered. */
export async function unloadModel(client: ApiClient, model: string): Promise<void> {
  for await (const _ of client.stream<GenerateChunk>("/api/generate", { model, keep_alive: 0 })) {
    // The reply is one `done_reason: "unload"` object; nothing to show.
  }
}
