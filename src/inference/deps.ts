/** What the inference layer is built from; wired once in cli/serve.ts, faked in tests. */
import type { Logger } from "../log.ts";
import type { Registry } from "../registry/index.ts";
import type { LoadOptions } from "../runner/protocol.ts";
import type { Scheduler } from "../scheduler/index.ts";
import type { ModelStore } from "../store/index.ts";
import type { ModelCache } from "./model-cache.ts";
import type { WebpConverter } from "./vision-webp.ts";

/** Server-wide defaults that come from the env registry. */
export interface InferenceConfig {
  /** TSLLM_CONTEXT_LENGTH; 0 = by VRAM. */
  contextLength: number;
  /** TSLLM_NUM_THREADS; 0 = runner picks. */
  numThread: number;
  flashAttention: boolean;
  kvCacheType: LoadOptions["kv_cache_type"];
  /** Σ GPU memory in bytes, for the default context length. */
  totalVram(): Promise<number>;
  /** TSLLM_MAX_IMAGE_PIXELS: larger images are refused before any decode; its default when absent. */
  maxImagePixels?: number;
}

/** Turns an F16/F32 GGUF into a quantized one (runs outside the server's main thread). */
export type Quantizer = (input: string, output: string, type: string) => Promise<void>;

/** The scheduler operations inference uses. */
export type SchedulerPort = Pick<Scheduler, "acquire" | "unload" | "loaded" | "activity">;

/** The registry operations the API and create use. */
export type RegistryPort = Pick<Registry, "pull" | "push">;

/** Dependencies of every service function. */
export interface InferenceDeps {
  store: ModelStore;
  /** GGUF headers and compiled templates, shared across requests. */
  cache: ModelCache;
  scheduler: SchedulerPort;
  logger: Logger;
  config: InferenceConfig;
  quantize?: Quantizer;
  /** Pull and push (and create's pull of a missing `from`); absent where nothing can reach a registry. */
  registry?: RegistryPort;
  /** WebP → PPM for the runner (off the event loop); without it WebP images are refused. */
  webp?: WebpConverter;
}
