/** The HTTP app: every Ollama route plus the one error mapper. No listening here (cli/serve.ts does that). */
import { Elysia } from "elysia";
import type { InferenceDeps } from "../inference/index.ts";
import type { UiSource } from "../ui/assets.ts";
import type { MetricsEndpoint } from "../observe/metrics/index.ts";
import type { RequestObserver } from "../observe/observer.ts";
import { currentRequest } from "../observe/request-record.ts";
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
import { registryRoutes } from "./ollama/registry.ts";
import { rerankRoutes } from "./ollama/rerank.ts";
import { tokenizeRoutes } from "./ollama/tokenize.ts";
import { PageNotFoundError, type RouteEntry, RouteTable, routingError } from "./routing.ts";
import { openaiRoutes } from "./openai/index.ts";
import { drainGate, HEALTH_ROUTES } from "./ops/health.ts";
import { trackRequests } from "./ops/request-tracker.ts";
import { uiRoutes } from "./ops/ui.ts";
import { metricsRoutes } from "./ops/metrics.ts";
import { slotsRoutes } from "./ops/slots.ts";
import { ServeState } from "./ops/serve-state.ts";

/**
 * What the app is built from; `ui` serves the web UI at /ui (absent: no UI, and `/` links nowhere);
 * `metrics` serves GET /metrics (absent: TSLLM_METRICS is off, the path is a 404).
 */
export type AppDeps = InferenceDeps & { ui?: UiSource; metrics?: MetricsEndpoint };

const BLOB_UPLOAD_ROUTE = "/api/blobs/:digest";

/** Routes served outside the Elysia app (createFetchHandler), so a wrong method on them is still a 405. */
export const OUTSIDE_ROUTES: readonly RouteEntry[] = [
  { method: "POST", path: BLOB_UPLOAD_ROUTE },
  ...HEALTH_ROUTES,
];

/**
 * Builds the Elysia app; serve it with `Bun.serve({ fetch: app.fetch })` or test it with `app.handle`.
 * Each route plugin is one `.use(...)`; the 405 (wrong method) and 404 (unknown path) answers cover it.
 */
export function createApp(deps: AppDeps) {
  const table: RouteTable = new RouteTable((): readonly RouteEntry[] => app.routes, OUTSIDE_ROUTES);
  const app = new Elysia()
    .onRequest(({ request }): Response | undefined => table.refuseMethod(request))
    // The matched route pattern labels the request's metrics (before validation, so a 400 has it too).
    .onTransform({ as: "global" }, ({ route }) => {
      const record = currentRequest();
      if (record) record.route = route;
    })
    .onError(({ code, error, request }) => {
      const path = new URL(request.url).pathname;
      if (code === "NOT_FOUND") return routingError(new PageNotFoundError(), path);
      return errorResponse(error, code, deps.logger, errorBodyFor(path));
    })
    .use(basicRoutes({ uiLink: deps.ui !== undefined }))
    .use(uiRoutes(deps.ui))
    .use(metricsRoutes(deps.metrics))
    .use(slotsRoutes(deps))
    .use(generateRoutes(deps))
    .use(chatRoutes(deps))
    .use(embedRoutes(deps))
    .use(rerankRoutes(deps))
    .use(modelRoutes(deps))
    .use(createRoutes(deps))
    .use(blobRoutes(deps))
    .use(registryRoutes(deps))
    .use(tokenizeRoutes(deps))
    .use(anthropicRoutes(deps))
    .use(openaiRoutes(deps));
  return app;
}

/** The app's type, for callers that hold one. */
export type App = ReturnType<typeof createApp>;

/** The fetch handler's operations side. */
export interface FetchOptions {
  /** Called with each request's record once its answer has ended (the request log, metrics). */
  observers?: readonly RequestObserver[];
  /** The drain flag and in-flight count shared with serve's shutdown (a fresh one when absent). */
  state?: ServeState;
}

/**
 * The server's fetch handler: every request is recorded and answered with its `X-Request-Id`
 * (ops/request-tracker.ts); with `access`, the guard (guard/) sees it next; /health and the drain's 503
 * come next (ops/health.ts); blob uploads stream straight to the store (see ollama/blob-upload.ts);
 * everything else goes through the Elysia app.
 */
export function createFetchHandler(
  deps: AppDeps,
  access?: AccessOptions,
  ops: FetchOptions = {},
): (req: Request) => Promise<Response> {
  const app = createApp(deps);
  const state = ops.state ?? new ServeState();
  const serve = drainGate(state, (req: Request): Promise<Response> => {
    const digest = blobUploadTarget(req);
    if (digest === null) return app.handle(req);
    const record = currentRequest();
    if (record) record.route = BLOB_UPLOAD_ROUTE;
    return uploadBlob(deps, digest, req, deps.logger);
  });
  const routes = new RouteTable((): readonly RouteEntry[] => app.routes, OUTSIDE_ROUTES);
  const guard = access && createGuard(access, (method, path) => routes.methodsFor(path).includes(method));
  const handle = guard ? (req: Request) => guard(req, serve) : serve;
  return trackRequests(handle, { observers: ops.observers, state, logger: deps.logger });
}
