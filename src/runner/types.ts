/**
 * What the scheduler and the inference layer see of a runner (the parent-side handle). The real one is
 * `RunnerClient` in client.ts; tests pass fakes that implement this interface.
 */
import type {
  CompletionDone,
  CompletionPiece,
  CompletionRequest,
  DeviceMemory,
  EmbeddingResponse,
  Health,
  LoadOptions,
  LoadResponse,
  RerankResponse,
  RunnerSlots,
} from "./protocol.ts";

/** A chunk from `completion`: pieces, then exactly one final record. */
export type CompletionChunk = ({ done?: false } & CompletionPiece) | CompletionDone;

/** How to start a runner. */
export interface RunnerSpec {
  /** Absolute path of the GGUF blob. */
  model: string;
  options: LoadOptions;
  /** libllama variant, e.g. "cpu" or "vulkan". */
  variant?: string;
}

/** Parent-side handle of one runner process. */
export interface Runner {
  readonly pid: number;
  readonly spec: RunnerSpec;
  /**
   * Loads the model (with `options`, default the spec's) and resolves when it is ready; rejects with a typed
   * error (load failure, stall, exit).
   */
  waitUntilRunning(signal?: AbortSignal, options?: LoadOptions): Promise<void>;
  /** Reports the memory a layout needs per device without allocating (optional: fakes may omit it). */
  fit?(options: LoadOptions, signal?: AbortSignal): Promise<LoadResponse>;
  /**
   * Streams a completion; aborting `signal` stops the slot at the next decode step and ends the stream.
   * Aborting `stop` also ends generation early, but the stream still ends with its final record (done_reason
   * "cancel", with the timings so far).
   */
  completion(
    req: CompletionRequest,
    signal?: AbortSignal,
    stop?: AbortSignal,
  ): AsyncIterable<CompletionChunk>;
  embedding(input: (string | number[])[], signal?: AbortSignal): Promise<EmbeddingResponse>;
  /** Scores documents against a query with a reranker (optional: fakes may omit it). */
  rerank?(query: string, documents: string[], signal?: AbortSignal): Promise<RerankResponse>;
  tokenize(content: string, opts?: { addSpecial?: boolean; parseSpecial?: boolean }): Promise<number[]>;
  detokenize(tokens: number[]): Promise<string>;
  health(): Promise<Health>;
  /** Slot and KV-cache state (optional: fakes may omit it); answered without waiting on a decode step. */
  slots?(signal?: AbortSignal): Promise<RunnerSlots>;
  /** Memory held per device (bytes), as measured at load. */
  memory(): DeviceMemory[];
  hasExited(): boolean;
  /** Asks the runner to exit and waits for it (SIGKILL after a grace period). Idempotent. */
  close(): Promise<void>;
}
