/** Test helpers: an in-process `tsllm serve` on port 0 with its own temp model store, and model uploads. */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ollama } from "ollama";
import { type RunningServer, startServer } from "../../src/cli/serve.ts";
import { Env } from "../../src/config/env.ts";
import { Logger } from "../../src/log.ts";
import { endlessModel, synthModel, toolModels } from "../fixtures/models.ts";
import { THINKING_TEMPLATE } from "../fixtures/templates.ts";
import { testServeEnv } from "../helpers/serve-env.ts";

/** A running server, an ollama client for it, and helpers. */
export interface TestServer {
  url: string;
  client: Ollama;
  server: RunningServer;
  /** Uploads a GGUF through /api/blobs and creates `name` from it via /api/create. */
  createFrom(name: string, gguf: string, extra?: Record<string, unknown>): Promise<string>;
  /** POSTs (or other method) JSON/text to the server. */
  request(path: string, body?: unknown, method?: string): Promise<JsonResponse>;
  stop(): Promise<void>;
}

/** A decoded JSON response body. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary fields
export type Json = Record<string, any>;

/** A Response whose JSON body is typed loosely. */
export interface JsonResponse extends Response {
  json(): Promise<Json>;
}

/** Deterministic sampling for tests. */
export const GREEDY = { temperature: 0, seed: 1, repeat_penalty: 1 };

/** Synthetic models the API tests use. */
export const models = {
  chat: () => synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" }),
  endless: endlessModel,
  embed: () => synthModel({ preset: "embed", quant: "f32", vocab: "bert-bge" }),
  rerank: () => synthModel({ preset: "rerank", quant: "f32", vocab: "bert-bge" }),
};

/** A model a test server can be given: the GGUF it is created from and extra /api/create fields. */
export interface ModelRecipe {
  gguf: () => Promise<string>;
  extra?: Record<string, unknown>;
}

/** The models integration tests create, by the name they are usually created under. */
export const recipes = {
  /** The tiny chat model (llama-spm vocabulary, random weights). */
  tiny: { gguf: models.chat },
  /** The tiny weights under THINKING_TEMPLATE: with thinking on, all of their output is thinking. */
  thinker: { gguf: models.chat, extra: { template: THINKING_TEMPLATE } },
  /** The tiny model that never ends a stream on its own. */
  endless: { gguf: models.endless },
  /** The BERT-style embedding model. */
  embed: { gguf: models.embed },
  /** The BERT-style cross-encoder reranker (rank pooling). */
  rerank: { gguf: models.rerank },
  /** Qwen2.5's real Jinja template (Hermes-style tool calls). */
  qwen: { gguf: toolModels.qwen25 },
} satisfies Record<string, ModelRecipe>;

/** The name of a model in `recipes`. */
export type RecipeName = keyof typeof recipes;

/**
 * Starts a server and creates models in it, in order: recipe names (created under that name) or
 * name → recipe pairs. The server is stopped when a model cannot be created.
 */
export async function startServerWith(
  want: readonly RecipeName[] | Record<string, ModelRecipe>,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const list: [string, ModelRecipe][] = Array.isArray(want)
    ? want.map((name: RecipeName) => [name, recipes[name]])
    : Object.entries(want);
  const s = await startTestServer(env);
  try {
    for (const [name, r] of list) await s.createFrom(name, await r.gguf(), r.extra);
  } catch (e) {
    await s.stop();
    throw e;
  }
  return s;
}

/** Digest of a file in the API's `sha256:<hex>` form. */
export function fileDigest(path: string): string {
  return `sha256:${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
}

/** Starts a server with a fresh model store; `env` adds or overrides variables. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const root = mkdtempSync(join(tmpdir(), "tsllm-api-"));
  const server = await startServer(
    new Env({
      ...process.env,
      ...testServeEnv(root),
      ...env,
    }),
    new Logger("error"),
  );
  const client = new Ollama({ host: server.url });
  const request = (path: string, body?: unknown, method = "POST"): Promise<JsonResponse> =>
    fetch(`${server.url}${path}`, {
      method,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      headers: { "content-type": "application/json" },
    }) as Promise<JsonResponse>;
  return {
    url: server.url,
    client,
    server,
    request,
    async createFrom(name, gguf, extra = {}) {
      const digest = fileDigest(gguf);
      const up = await fetch(`${server.url}/api/blobs/${digest}`, {
        method: "POST",
        body: await Bun.file(gguf).bytes(),
      });
      if (up.status !== 201 && up.status !== 200)
        throw new Error(`blob upload: ${up.status} ${await up.text()}`);
      const r = (await client.create({
        model: name,
        files: { "model.gguf": digest },
        ...extra,
      } as never)) as unknown as { status: string };
      if (r.status !== "success") throw new Error(`create: ${JSON.stringify(r)}`);
      return digest;
    },
    async stop() {
      await server.stop(2000);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
