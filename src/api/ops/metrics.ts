/**
 * `GET /metrics` (tsllm's families) and `GET /metrics/llamacpp` (llama-server's `llamacpp:*` names, for its
 * dashboards): Prometheus text format (version 0.0.4). Registered only when metrics are on
 * (TSLLM_METRICS): otherwise the path is unknown (404). Needs an inference key once keys exist.
 */
import { Elysia } from "elysia";
import { CONTENT_TYPE, type MetricsEndpoint, type MetricsSet } from "../../observe/metrics/index.ts";

/** The metrics route, or no route at all when `metrics` is absent. */
export function metricsRoutes(metrics: MetricsEndpoint | undefined) {
  const app = new Elysia({ name: "ops-metrics" });
  if (!metrics) return app;
  const answer = async (set: MetricsSet) =>
    new Response(await metrics.render(set), {
      headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" },
    });
  return app.get("/metrics", () => answer("tsllm")).get("/metrics/llamacpp", () => answer("llamacpp"));
}
