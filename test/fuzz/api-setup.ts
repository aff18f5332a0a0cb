/**
 * What an API fuzz run starts from: the route list read off the app itself (so a new route is fuzzed as
 * soon as it is registered), a serve child with the fuzz models created, and the oracle's deadlines.
 */
import { createApp } from "../../src/api/app.ts";
import { recipes } from "../api/helpers.ts";
import { routeKeys } from "./api-gen.ts";
import type { SendOptions } from "./api-oracle.ts";
import type { FuzzContext } from "./api-routes.ts";
import { type ServeChild, spawnServe } from "./api-server.ts";

/** A stand-in for the app's dependencies: building the app only wires routes, it calls nothing. */
function stubDeps(): never {
  const stub: unknown = new Proxy(() => {}, {
    get: (_t, key) => (key === "then" || typeof key === "symbol" ? undefined : stub),
    apply: () => stub,
    construct: () => stub as object,
  });
  return stub as never;
}

/** Every `METHOD /path` the app serves (plus the blob upload served beside it). */
export function appRouteKeys(): string[] {
  return routeKeys(createApp(stubDeps()).routes);
}

/** Names the fuzz models get; no mutation ever writes them into a store-changing request. */
export const FUZZ_MODELS = {
  chat: "fz-chat",
  embed: "fz-embed",
  rerank: "fz-rerank",
  /** Port 9 (discard) is closed on loopback: pulls and pushes of this name fail without leaving the machine. */
  unreachable: "127.0.0.1:9/fuzz/chat:latest",
} as const;

/** A fuzz context for a server holding the fuzz models. */
export function fuzzContext(chatDigest: string, maxString: number): FuzzContext {
  return {
    chat: FUZZ_MODELS.chat,
    embed: FUZZ_MODELS.embed,
    rerank: FUZZ_MODELS.rerank,
    chatDigest,
    scratch: ["fz-scratch-a", "fz-scratch-b", "scratch/ns-c:tag", "fz-scratch-d:v2"],
    maxString,
    unreachable: FUZZ_MODELS.unreachable,
  };
}

/** Creates the fuzz models through `create` (a server's uploader); returns the chat model's blob digest. */
export async function createFuzzModels(create: ServeChild["create"]): Promise<string> {
  const digest = await create(FUZZ_MODELS.chat, recipes.tiny);
  await create(FUZZ_MODELS.embed, recipes.embed);
  await create(FUZZ_MODELS.rerank, recipes.rerank);
  await create(FUZZ_MODELS.unreachable, recipes.tiny);
  return digest;
}

/** A serve child for fuzzing (a queue far deeper than the fuzz's concurrency) with the fuzz models. */
export async function startFuzzServer(
  env: Record<string, string> = {},
): Promise<{ server: ServeChild; chatDigest: string }> {
  const server = await spawnServe({ env: { TSLLM_MAX_QUEUE: "512", ...env }, unset: ["TSLLM_DEBUG"] });
  try {
    return { server, chatDigest: await createFuzzModels(server.create) };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** The oracle's deadlines (default 30 s for an answer to start and for silence inside a body), 16 KiB per stream. */
export function sendOptions(secrets: readonly string[] = [], timeoutMs = 30_000): SendOptions {
  return { headerTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs, streamCap: 16 * 1024, secrets };
}
