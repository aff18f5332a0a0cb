/** `tsllm run <embedding model> TEXT`: one /api/embed call, the vector printed as a JSON array. */
import { ApiError } from "./errors.ts";
import { goFloat32Array } from "./go-float.ts";
import type { ApiClient } from "./http.ts";
import type { CliIO } from "./io.ts";

/** The embedding flags of `run`. */
export interface EmbedOptions {
  keepAlive?: string | number;
  /** Sent only when --truncate was given (the server's default is to truncate). */
  truncate?: boolean;
  /** Sent only when > 0. */
  dimensions?: number;
}

/** Embeds `input` and prints the first vector on one line. */
export async function embedOnce(
  client: ApiClient,
  io: CliIO,
  model: string,
  input: string,
  o: EmbedOptions,
): Promise<void> {
  const body = {
    model,
    input,
    ...(o.keepAlive !== undefined ? { keep_alive: o.keepAlive } : {}),
    ...(o.truncate !== undefined ? { truncate: o.truncate } : {}),
    ...(o.dimensions !== undefined && o.dimensions > 0 ? { dimensions: o.dimensions } : {}),
  };
  const r = await client.json<{ embeddings?: number[][] }>("POST", "/api/embed", body);
  const first = r?.embeddings?.[0];
  if (!first) throw new ApiError("no embeddings returned", 0);
  io.out.write(`${goFloat32Array(first)}\n`);
}
