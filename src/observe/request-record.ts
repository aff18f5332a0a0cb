/**
 * What one API request did, filled in while it runs and read when it ends: the request log writes one line
 * from it and the metrics count it. The record travels with the request through AsyncLocalStorage, so the
 * inference layer fills it in without every call passing it along.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** One request's facts; fields stay undefined when the request never got that far. */
export class RequestRecord {
  /** The request id (also sent back in the `X-Request-Id` response header). */
  readonly id: string;
  readonly method: string;
  readonly path: string;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  /** The endpoint family for metrics labels: the route pattern, never the raw path. */
  route?: string;
  model?: string;
  status?: number;
  /** Time spent waiting for a runner slot (and a load), in ms. */
  queueMs?: number;
  /** Time a model load this request waited for took, in ms (0 when the model was loaded). */
  loadMs?: number;
  /** Prompt tokens evaluated, and those served from the prompt cache instead. */
  promptTokens?: number;
  cachedTokens?: number;
  /** Tokens generated, as the runner's final record reports them. */
  evalTokens?: number;
  /** Speculative decoding: draft tokens proposed and accepted. */
  draftTokens?: number;
  draftAccepted?: number;
  /** The runner's own time on the prompt and on generation, in ms (summed over its passes). */
  promptMs?: number;
  evalMs?: number;
  /** Time to the first generated token, in ms from `startedAt`. */
  ttftMs?: number;
  doneReason?: string;
  /** Time from arrival to the end of the answer (body sent, or the client gone), in ms; set when it ends. */
  durationMs?: number;
  /** performance.now() of each generated token after the first (for inter-token latency), bounded. */
  readonly tokenGapsMs: number[] = [];
  /**
   * Tokens seen streaming by, for an answer that ends without the runner's final record (the client went
   * away mid-stream): they were generated and count, though no timings report them.
   */
  streamedTokens = 0;
  #lastTokenAt?: number;

  constructor(id: string, method: string, path: string, startedAt = performance.now()) {
    this.id = id;
    this.method = method;
    this.path = path;
    this.startedAt = startedAt;
  }

  /** Tokens generated: the runner's count, else (an answer cut short) the tokens seen streaming by. */
  get generatedTokens(): number | undefined {
    return this.evalTokens ?? (this.streamedTokens > 0 ? this.streamedTokens : undefined);
  }

  /** Marks a generated token (or a chunk of them: `count`) at `now`. */
  token(now = performance.now(), count = 1): void {
    this.streamedTokens += count;
    if (this.#lastTokenAt === undefined) this.ttftMs = now - this.startedAt;
    else if (this.tokenGapsMs.length < 4096) this.tokenGapsMs.push((now - this.#lastTokenAt) / count);
    this.#lastTokenAt = now;
  }
}

const storage = new AsyncLocalStorage<RequestRecord>();

/** Runs `fn` with `record` as the current request's record. */
export function withRequestRecord<T>(record: RequestRecord, fn: () => T): T {
  return storage.run(record, fn);
}

/** The record of the request being served, if any (undefined outside a request: tests, CLI). */
export function currentRequest(): RequestRecord | undefined {
  return storage.getStore();
}
