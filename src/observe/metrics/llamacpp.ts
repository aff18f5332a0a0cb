/**
 * llama-server's `/metrics` families under their own names, types and help texts (tools/server: the
 * `llamacpp:` prefix), so dashboards built for llama-server work. llama-server serves one model per process;
 * here each series carries a `model` label, and summing over it gives llama-server's figure. The KV-cache
 * gauges are the ones llama-server used to serve (`kv_cache_usage_ratio`, `kv_cache_tokens`).
 */
import type { Counter, Gauge, Registry } from "./registry.ts";

/** Tokens and milliseconds accumulated since the last scrape (llama-server's rate "bucket"). */
export interface RateWindow {
  promptTokens: number;
  promptMs: number;
  /** Generation decode steps: generated tokens minus the first (sampled from the prompt's logits). */
  predictSteps: number;
  predictMs: number;
}

/** Every llamacpp:* family. */
export class LlamacppFamilies {
  readonly promptTokens: Counter;
  readonly promptCached: Counter;
  readonly promptSeconds: Counter;
  readonly predicted: Counter;
  readonly predictedSeconds: Counter;
  readonly decodes: Counter;
  readonly promptRate: Gauge;
  readonly predictedRate: Gauge;
  readonly processing: Gauge;
  readonly deferred: Gauge;
  readonly busyPerDecode: Gauge;
  readonly kvRatio: Gauge;
  readonly kvTokens: Gauge;
  /** Per model: what the rate gauges report at the next scrape. */
  readonly windows = new Map<string, RateWindow>();

  constructor(r: Registry) {
    const m = ["model"];
    this.promptTokens = r.counter(
      "llamacpp:prompt_tokens_total",
      "Number of prompt tokens processed, excluding cached tokens",
      m,
    );
    this.promptCached = r.counter(
      "llamacpp:prompt_tokens_cached_total",
      "Number of prompt tokens reused from the cache",
      m,
    );
    this.promptSeconds = r.counter("llamacpp:prompt_seconds_total", "Total time spent processing prompts", m);
    this.predicted = r.counter("llamacpp:tokens_predicted_total", "Number of generation tokens processed", m);
    this.predictedSeconds = r.counter(
      "llamacpp:tokens_predicted_seconds_total",
      "Total time spent generating tokens",
      m,
    );
    this.decodes = r.counter(
      "llamacpp:n_decode_total",
      "Total number of llama_decode() calls, excluding speculative decoding and multimodal decoding",
      m,
    );
    this.promptRate = r.gauge("llamacpp:prompt_tokens_seconds", "Average prompt throughput in tokens/s", m);
    this.predictedRate = r.gauge(
      "llamacpp:predicted_tokens_seconds",
      "Average generation throughput in tokens/s",
      m,
    );
    this.processing = r.gauge("llamacpp:requests_processing", "Number of requests processing", m);
    this.deferred = r.gauge("llamacpp:requests_deferred", "Number of requests deferred", m);
    this.busyPerDecode = r.gauge(
      "llamacpp:n_busy_slots_per_decode",
      "Average number of busy slots per llama_decode() call",
      m,
    );
    this.kvRatio = r.gauge("llamacpp:kv_cache_usage_ratio", "KV-cache usage. 1 means 100 percent usage.", m);
    this.kvTokens = r.gauge("llamacpp:kv_cache_tokens", "KV-cache tokens.", m);
  }

  /** The rate window of a model (created on first use). */
  window(model: string): RateWindow {
    let w = this.windows.get(model);
    if (!w) {
      w = { promptTokens: 0, promptMs: 0, predictSteps: 0, predictMs: 0 };
      this.windows.set(model, w);
    }
    return w;
  }

  /**
   * Sets the rate gauges from the windows and empties them, as llama-server resets its buckets on each
   * /metrics call: the gauges report the throughput since the previous scrape (0 when nothing ran).
   */
  flushRates(): void {
    for (const [model, w] of this.windows) {
      this.promptRate.labels(model).set(w.promptMs > 0 ? (w.promptTokens / w.promptMs) * 1000 : 0);
      this.predictedRate.labels(model).set(w.predictMs > 0 ? (w.predictSteps / w.predictMs) * 1000 : 0);
      w.promptTokens = w.promptMs = w.predictSteps = w.predictMs = 0;
    }
  }

  /** The families a scrape refills from scratch. */
  scraped(): Gauge[] {
    return [this.processing, this.deferred, this.busyPerDecode, this.kvRatio, this.kvTokens];
  }
}

/**
 * A counter kept by each runner process (decode calls, busy slots), made monotonic per model across runner
 * restarts: each scrape adds what a runner counted since the previous scrape; a runner that is gone keeps
 * what was last seen of it. Work a runner did after the last scrape before it exited is not counted.
 */
export class RunnerTotals {
  readonly #last = new Map<number, number>();

  /** Folds in the runner `pid`'s current total; returns the increase since the last call (0 the first time a
   * pid reports 0). Pids not reported in a scrape are forgotten by `retain`. */
  delta(pid: number, total: number): number {
    const prev = this.#last.get(pid) ?? 0;
    this.#last.set(pid, total);
    return Math.max(0, total - prev);
  }

  /** Forgets runners not in `live`. */
  retain(live: ReadonlySet<number>): void {
    for (const pid of this.#last.keys()) if (!live.has(pid)) this.#last.delete(pid);
  }
}
