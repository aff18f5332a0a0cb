/** The HTTP app: every Ollama route plus the one error mapper. No listening here (cli/serve.ts does that). */
import { Elysia } from "elysia";
import type { InferenceDeps } from "../inference/index.ts";
import { anthropicRoutes } from "./anthropic/routes.ts";
import { errorBodyFor } from "./error-shapes.ts";
import { errorResponse } from "./errors.ts";
import { type AccessOptions, createGuard } from "./guard/index.ts";
import { basicRoutes } from "./ollama/basics.ts";
import { blobUploadTarget, uploadBlob } from "./ollama/blob-upload.ts";
import { blobRoutes } from "./ollama/blobs.ts";
import { chatRoutes } from "./ollama/chat.ts";
import { createRoutes } from "./ollama/create.ts";
import { embedRoutes } from "./ollama/embed.ts";
import { generateRoutes } from "./ollama/generate.ts";
import { modelRoutes } from "./ollama/models.ts";
import { tokenizeRoutes } from "./ollama/tokenize.ts";
import { PageNotFoundError, type RouteEntry, RouteTable, routingError } from "./routing.ts";
import { openaiRoutes } from "./openai/index.ts";

/** What the app is built from. */
export type AppDeps = InferenceDeps;

/** Routes served outside the Elysia app (createFetchHandler), so a wrong method on them is still a 405. */
export const OUTSIDE_ROUTES: readonly RouteEntry[] = [{ method: "POST", path: "/api/blobs/:digest" }];

/**
 * Builds the Elysia app; serve it with `Bun.serve({ fetch: app.fetch })` or test it with `app.handle`.
 * Each route plugin is one `.use(...)`; the 405 (wrong method) and 404 (unknown path) answers cover it.
 */
export function createApp(deps: AppDeps) {
  const table: RouteTable = new RouteTable((): readonly RouteEntry[] => app.routes, OUTSIDE_ROUTES);
  const app = new Elysia()
    .onRequest(({ request }): Response | undefined => table.refuseMethod(request))
    .onError(({ code, error, request }) => {
      const path = new URL(request.url).pathname;
      if (code === "NOT_FOUND") return routingError(new PageNotFoundError(), path);
      return errorResponse(error, code, deps.logger, errorBodyFor(path));
    })
    .use(basicRoutes())
    .use(generateRoutes(deps))
    .use(chatRoutes(deps))
    .use(embedRoutes(deps))
    .use(modelRoutes(deps))
    .use(createRoutes(deps))
    .use(blobRoutes(deps))
    .use(tokenizeRoutes(deps))
    .use(anthropicRoutes(deps))
    .use(openaiRoutes(deps));
  return app;
}

/** The app's type, for callers that hold one. */
export type App = ReturnType<typeof createApp>;

/**
 * The server's fetch handler: blob uploads stream straight to the store (see ollama/blob-upload.ts);
 * everything else goes through the Elysia app. With `access`, the guard (guard/) sees every request first.
 */
export function createFetchHandler(
  deps: AppDeps,
  access?: AccessOptions,
): (req: Request) => Promise<Response> {
  const app = createApp(deps);
  const serve = (req: Request): Promise<Response> => {
    const digest = blobUploadTarget(req);
    return digest === null ? app.handle(req) : uploadBlob(deps, digest, req, deps.logger);
  };
  if (access === undefined) return serve;
  const routes = new RouteTable((): readonly RouteEntry[] => app.routes, OUTSIDE_ROUTES);
  const guard = createGuard(access, (method, path) => routes.methodsFor(path).includes(method));
  return (req) => guard(req, serve);
}
