/** The HTTP app: every Ollama route plus the one error mapper. No listening here (cli/serve.ts does that). */
import { Elysia } from "elysia";
import type { InferenceDeps } from "../inference/index.ts";
import { errorBodyFor } from "./error-shapes.ts";
import { errorResponse } from "./errors.ts";
import { basicRoutes } from "./ollama/basics.ts";
import { blobUploadTarget, uploadBlob } from "./ollama/blob-upload.ts";
import { blobRoutes } from "./ollama/blobs.ts";
import { chatRoutes } from "./ollama/chat.ts";
import { createRoutes } from "./ollama/create.ts";
import { embedRoutes } from "./ollama/embed.ts";
import { generateRoutes } from "./ollama/generate.ts";
import { modelRoutes } from "./ollama/models.ts";
import { tokenizeRoutes } from "./ollama/tokenize.ts";

/** What the app is built from. */
export type AppDeps = InferenceDeps;

/** Builds the Elysia app; serve it with `Bun.serve({ fetch: app.fetch })` or test it with `app.handle`. */
export function createApp(deps: AppDeps) {
  return new Elysia()
    .onError(({ code, error, request }) =>
      errorResponse(error, code, deps.logger, errorBodyFor(new URL(request.url).pathname)),
    )
    .use(basicRoutes())
    .use(generateRoutes(deps))
    .use(chatRoutes(deps))
    .use(embedRoutes(deps))
    .use(modelRoutes(deps))
    .use(createRoutes(deps))
    .use(blobRoutes(deps))
    .use(tokenizeRoutes(deps));
}

/** The app's type, for callers that hold one. */
export type App = ReturnType<typeof createApp>;

/**
 * The server's fetch handler: blob uploads stream straight to the store (see ollama/blob-upload.ts);
 * everything else goes through the Elysia app.
 */
export function createFetchHandler(deps: AppDeps): (req: Request) => Promise<Response> {
  const app = createApp(deps);
  return (req) => {
    const digest = blobUploadTarget(req);
    return digest === null ? app.handle(req) : uploadBlob(deps, digest, req, deps.logger);
  };
}
