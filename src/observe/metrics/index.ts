/**
 * The server's metrics: tsllm_* and llama-server's llamacpp:* families in one registry, fed by the request
 * observer (finished requests), the scheduler's events (loads, unloads) and a scrape-time collector
 * (running/waiting, slots, KV cache, memory). Built once in cli/serve.ts; GET /metrics renders tsllm's
 * families, GET /metrics/llamacpp llama-server's.
 */
import type { SchedulerEvents } from "../../scheduler/index.ts";
import type { RequestRecord } from "../request-record.ts";
import { TsllmFamilies } from "./catalog.ts";
import { schedulerEvents } from "./events.ts";
import { CONTENT_TYPE } from "./exposition.ts";
import { LlamacppFamilies } from "./llamacpp.ts";
import { Registry } from "./registry.ts";
import { RequestMetrics } from "./requests.ts";
import { ScrapeCollector, type ScrapeSource } from "./scrape.ts";

export { CONTENT_TYPE } from "./exposition.ts";
export type { ScrapeSource } from "./scrape.ts";

/** What the build info gauge says. */
export interface BuildInfo {
  version: string;
  llamacppVersion: string;
  /** The libllama variant runners use (cpu, vulkan, cuda). */
  library: string;
}

/**
 * Which families a scrape gets: tsllm's own (`/metrics`, clean under `promtool check metrics`), or llama-server's
 * `llamacpp:*` names (`/metrics/llamacpp`) for its existing dashboards. Colons are reserved for recording rules,
 * so promtool's linter flags llama-server's names: they live on their own path, one more scrape job.
 */
export type MetricsSet = "tsllm" | "llamacpp";

const isLlamacpp = (name: string): boolean => name.startsWith("llamacpp:");

/** What the metrics routes need. */
export interface MetricsEndpoint {
  /** The exposition text of one set (Content-Type: CONTENT_TYPE). */
  render(set?: MetricsSet): Promise<string>;
}

/** One server's metrics. */
export class Metrics implements MetricsEndpoint {
  readonly registry = new Registry();
  readonly #requests: RequestMetrics;
  /** The scheduler's event sink (SchedulerOptions.events). */
  readonly schedulerEvents: SchedulerEvents;

  constructor(build: BuildInfo, source: ScrapeSource) {
    const f = new TsllmFamilies(this.registry);
    const lc = new LlamacppFamilies(this.registry);
    f.buildInfo.labels(build.version, build.llamacppVersion, build.library).set(1);
    this.#requests = new RequestMetrics(f, lc);
    this.schedulerEvents = schedulerEvents(f);
    const scrape = new ScrapeCollector(f, lc, source);
    this.registry.onCollect((include) => scrape.collect(include));
  }

  /** The request observer: counts a finished request (a RequestObserver). */
  readonly observe = (r: RequestRecord): void => this.#requests.observe(r);

  render(set: MetricsSet = "tsllm"): Promise<string> {
    return this.registry.render(set === "llamacpp" ? isLlamacpp : (name) => !isLlamacpp(name));
  }

  /** The Content-Type of `render()`'s text. */
  get contentType(): string {
    return CONTENT_TYPE;
  }
}
