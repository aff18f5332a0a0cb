/** The scheduler's public shapes: its dependencies, requests, leases and /api/ps rows. */
import type { Logger } from "../log.ts";
import type { LoadOptions } from "../runner/protocol.ts";
import type { Runner, RunnerSpec } from "../runner/types.ts";
import type { Clock } from "./clock.ts";
import type { ModelFacts } from "./layout/facts.ts";
import type { LayoutPlan } from "./layout/plan.ts";
import type { UnloadReason } from "./model-table.ts";
import type { HostShare } from "./rpc.ts";

/** A memory device: a GPU, or the host ("cpu", whose numbers are system RAM). Bytes. */
export interface Device {
  /** Stable id; for GPUs the ggml device name works best (runners report memory by that name). */
  id: string;
  /** ggml device name, e.g. "Vulkan0"; "CPU" for the host. */
  name: string;
  type: "cpu" | "gpu";
  free: number;
  total: number;
  /** GPU memory to leave unused (driver overhead); the planner's default when absent. */
  minimum?: number;
  /** Host only: free swap. */
  swapFree?: number;
  /** An RPC server's device: its "host:port". */
  host?: string;
}

/** What happens to runners, for metrics; model is the name the runner was loaded under. */
export interface SchedulerEvents {
  /** A model finished loading, after `ms`. */
  loaded(model: string, ms: number): void;
  /** A load failed for good (after any retries with fewer GPU layers). */
  loadFailed(model: string): void;
  /** A runner left the table. */
  unloaded(model: string, reason: UnloadReason): void;
}

/** What the scheduler is built from; wired in cli/serve.ts, faked in tests. */
export interface SchedulerOptions {
  spawnRunner(spec: RunnerSpec): Runner;
  /** Current GPUs and host memory. */
  devices(): Promise<Device[]>;
  clock?: Clock;
  /** Reads the planner's facts from a GGUF blob (cached per path by the scheduler). */
  describeModel(path: string): Promise<ModelFacts>;
  /** Requests allowed to wait (TSLLM_MAX_QUEUE). */
  maxQueue: number;
  /** Models loaded at once; 0 = 3 per GPU, or 3 without GPUs (TSLLM_MAX_LOADED_MODELS). */
  maxLoadedModels: number;
  /** Concurrent requests per runner when the options do not say (TSLLM_NUM_PARALLEL). */
  numParallel: number;
  /** Keep-alive when a request gives none (TSLLM_KEEP_ALIVE), ms; negative = forever. */
  defaultKeepAliveMs: number;
  /** libllama variant passed to runners and shown by /api/ps. */
  variant?: string;
  logger?: Logger;
  events?: SchedulerEvents;
}

/** Load options as a caller gives them; num_parallel defaults to the scheduler's numParallel. */
export type RequestedLoadOptions = Omit<LoadOptions, "num_parallel"> & { num_parallel?: number };

/** One request for a runner. */
export interface AcquireRequest {
  /** Absolute path of the GGUF blob; runners are keyed by it. */
  model: string;
  /** Model name as the client asked for it (shown by /api/ps). */
  name: string;
  options: RequestedLoadOptions;
  /** ms to stay loaded after the last lease: -1 (any negative) = forever, 0 = unload now; default when absent. */
  keepAliveMs?: number;
  signal?: AbortSignal;
}

/** The right to use a runner for one request. Release it exactly once (extra calls are ignored). */
export interface Lease {
  readonly runner: Runner;
  /** Blob path. */
  readonly model: string;
  readonly name: string;
  /** The options the runner was started with (num_gpu as planned, num_ctx capped at the trained length). */
  readonly options: LoadOptions;
  readonly plan: LayoutPlan;
  /** How long the model load this request waited for took, ms (0 when the model was already loaded). */
  readonly loadMs: number;
  /**
   * Aborted when the server ends in-flight work (a drain's timeout), its reason saying why ("shutdown"):
   * the holder should stop generating and report that reason.
   */
  readonly ending: AbortSignal;
  release(): void;
  [Symbol.dispose](): void;
}

/** `details` of a /api/ps row, from the GGUF; the API layer may replace it with the manifest's. */
export interface PsDetails {
  format: string;
  family: string;
  families: string[];
  parameter_size: string;
  quantization_level: string;
}

/** One loaded model as /api/ps shows it. */
export interface PsEntry {
  name: string;
  /** Blob path. */
  model: string;
  /** sha256 hex taken from the blob file name, "" when it has none. */
  digest: string;
  /** Bytes held on all devices. */
  size: number;
  /** Bytes held on GPUs. */
  size_vram: number;
  /** When it unloads if left idle; null = never. */
  expires_at: Date | null;
  context_length: number;
  /** libllama variant, "" when unknown. */
  library: string;
  details: PsDetails;
  /** Bytes per host ("local" or an RPC server's host:port); only when the model is split over RPC. */
  split?: HostShare[];
}
