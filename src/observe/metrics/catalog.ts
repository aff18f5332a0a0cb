/**
 * tsllm's own metric families (prefix `tsllm_`, base units: seconds and bytes). Labels hold model names as the
 * store shows them, route patterns and fixed words only: never a prompt, a key or a file path.
 */
import type { Counter, Gauge, Histogram, Registry } from "./registry.ts";

/** Bucket upper bounds, in seconds. */
export const BUCKETS = {
  ttft: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  interToken: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5],
  request: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
  queue: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  load: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
} as const;

/** Every tsllm_* family. */
export class TsllmFamilies {
  readonly buildInfo: Gauge;
  readonly requests: Counter;
  readonly running: Gauge;
  readonly waiting: Gauge;
  readonly promptTokens: Counter;
  readonly cachedTokens: Counter;
  readonly generatedTokens: Counter;
  readonly draftTokens: Counter;
  readonly draftAccepted: Counter;
  readonly ttft: Histogram;
  readonly interToken: Histogram;
  readonly requestDuration: Histogram;
  readonly queueDuration: Histogram;
  readonly loadDuration: Histogram;
  readonly loads: Counter;
  readonly unloads: Counter;
  readonly evictions: Counter;
  readonly crashes: Counter;
  readonly modelsLoaded: Gauge;
  readonly kvUsed: Gauge;
  readonly kvTotal: Gauge;
  readonly kvRatio: Gauge;
  readonly slotsBusy: Gauge;
  readonly slotsTotal: Gauge;
  readonly modelMemory: Gauge;
  readonly deviceTotal: Gauge;
  readonly deviceFree: Gauge;
  readonly deviceUsed: Gauge;

  constructor(r: Registry) {
    const m = ["model"];
    this.buildInfo = r.gauge(
      "tsllm_build_info",
      "tsllm build: versions and the libllama variant (always 1)",
      ["version", "llamacpp_version", "library"],
    );
    this.requests = r.counter("tsllm_requests_total", "HTTP requests finished, by endpoint and status", [
      "model",
      "endpoint",
      "status",
    ]);
    this.running = r.gauge("tsllm_requests_running", "Requests holding a runner slot", m);
    this.waiting = r.gauge("tsllm_requests_waiting", "Requests queued for a slot or a model load", m);
    this.promptTokens = r.counter(
      "tsllm_prompt_tokens_total",
      "Prompt tokens evaluated by the runner (not counting those served from the prompt cache)",
      m,
    );
    this.cachedTokens = r.counter(
      "tsllm_prompt_cached_tokens_total",
      "Prompt tokens served from the prompt cache instead of being evaluated",
      m,
    );
    this.generatedTokens = r.counter("tsllm_generated_tokens_total", "Tokens generated", m);
    this.draftTokens = r.counter(
      "tsllm_draft_tokens_total",
      "Speculative decoding: draft tokens proposed (by the draft model or n-gram lookup) for verification",
      m,
    );
    this.draftAccepted = r.counter(
      "tsllm_draft_accepted_tokens_total",
      "Speculative decoding: draft tokens the model accepted (equal to what it would have generated)",
      m,
    );
    this.ttft = r.histogram(
      "tsllm_time_to_first_token_seconds",
      "Time from a request's arrival to its first generated token",
      m,
      BUCKETS.ttft,
    );
    this.interToken = r.histogram(
      "tsllm_inter_token_latency_seconds",
      "Time between generated tokens of one request",
      m,
      BUCKETS.interToken,
    );
    this.requestDuration = r.histogram(
      "tsllm_request_duration_seconds",
      "End-to-end request latency, from arrival to the last byte of the answer",
      ["model", "endpoint"],
      BUCKETS.request,
    );
    this.queueDuration = r.histogram(
      "tsllm_request_queue_duration_seconds",
      "Time a request waited for a runner slot (including a model load it waited for)",
      m,
      BUCKETS.queue,
    );
    this.loadDuration = r.histogram(
      "tsllm_model_load_duration_seconds",
      "Time to load a model into a runner",
      m,
      BUCKETS.load,
    );
    this.loads = r.counter("tsllm_model_loads_total", "Model loads, by result (success, failure)", [
      "model",
      "result",
    ]);
    this.unloads = r.counter(
      "tsllm_model_unloads_total",
      "Model unloads, by reason (keep_alive, explicit, eviction, crash, reload, load_failed, shutdown)",
      ["model", "reason"],
    );
    this.evictions = r.counter(
      "tsllm_model_evictions_total",
      "Idle models unloaded to make room, by reason (max_loaded_models, memory)",
      ["model", "reason"],
    );
    this.crashes = r.counter("tsllm_runner_crashes_total", "Runner processes that exited unexpectedly", m);
    this.modelsLoaded = r.gauge("tsllm_models_loaded", "Models loaded (runners ready)");
    this.kvUsed = r.gauge("tsllm_kv_cache_cells_used", "KV cache cells holding tokens", m);
    this.kvTotal = r.gauge(
      "tsllm_kv_cache_cells_capacity",
      "KV cache cells in all (the context size, shared by the slots)",
      m,
    );
    this.kvRatio = r.gauge("tsllm_kv_cache_usage_ratio", "KV cache cells used / total (1 = full)", m);
    this.slotsBusy = r.gauge("tsllm_slots_busy", "Runner slots serving a request", m);
    this.slotsTotal = r.gauge("tsllm_slots", "Runner slots (concurrent requests a model serves)", m);
    this.modelMemory = r.gauge(
      "tsllm_model_memory_bytes",
      "Memory a loaded model holds, by device (CPU = system RAM) and kind (weights, kv_cache, compute)",
      ["model", "device", "kind"],
    );
    this.deviceTotal = r.gauge("tsllm_device_memory_total_bytes", "Device memory (CPU = system RAM)", [
      "device",
    ]);
    this.deviceFree = r.gauge(
      "tsllm_device_memory_free_bytes",
      "Free device memory (GPUs: as probed at start; CPU: now)",
      ["device"],
    );
    this.deviceUsed = r.gauge("tsllm_device_memory_used_bytes", "Device memory held by loaded models", [
      "device",
    ]);
  }

  /** The families a scrape refills from scratch (models come and go between scrapes). */
  scraped(): Gauge[] {
    return [
      this.running,
      this.waiting,
      this.kvUsed,
      this.kvTotal,
      this.kvRatio,
      this.slotsBusy,
      this.slotsTotal,
      this.modelMemory,
      this.deviceTotal,
      this.deviceFree,
      this.deviceUsed,
    ];
  }
}
