/**
 * The registry as the server sees it: one object holding the HTTP client, the download settings and every
 * transfer in flight, so a shutdown can cancel them all. Pull and push themselves live in pull/ and push/.
 */
import { parseDurationMs } from "../config/duration.ts";
import { ENV, type Env } from "../config/env.ts";
import { TsllmError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { formatName, type ModelStore, noPrune, parseName } from "../store/index.ts";
import { clientOptionsFromEnv, createRegistryClient } from "./client/index.ts";
import { proxyConfigured, pullModel } from "./pull/index.ts";
import { pushModel } from "./push/index.ts";
import type { RegistryClient, TransferOptions } from "./types.ts";

/** How pulls download and what they keep. */
export interface RegistrySettings {
  /** Parallel range requests per blob (TSLLM_DOWNLOAD_PARTS). */
  readonly parts: number;
  /** A transfer that moves no byte this long is retried (TSLLM_DOWNLOAD_STALL). */
  readonly stallMs: number;
  /** Remove the layers a pulled model no longer references (off with TSLLM_NOPRUNE / OLLAMA_NOPRUNE). */
  readonly prune: boolean;
  /** Push upload chunk size in bytes; push's default when unset. */
  readonly chunkSize?: number;
  /** A proxy is configured (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY): transfers go through fetch, which uses it. */
  readonly proxied?: boolean;
  /** Plain-http transfers move bytes from socket to file in the kernel, on Linux (TSLLM_DOWNLOAD_SPLICE). */
  readonly splice?: boolean;
}

/** A transfer started while (or after) the server shuts down. */
export class RegistryClosedError extends TsllmError {
  constructor() {
    super("the server is shutting down; retry the transfer", { code: "shutting_down", status: 503 });
  }
}

/** A pull or push asked of a server built without a registry. */
export class RegistryUnavailableError extends TsllmError {
  constructor() {
    super("pulling and pushing models is not available on this server", {
      code: "registry_unavailable",
      status: 501,
    });
  }
}

const DEFAULT_STALL_MS = 30_000;

/** What a transfer is handed: the store, the client, a logger and the download settings. */
export interface TransferDeps extends RegistrySettings {
  readonly store: ModelStore;
  readonly client: RegistryClient;
  readonly logger: Logger;
}

/** One pull or push implementation (pull/ and push/; tests pass fakes). */
export type TransferFn = (deps: TransferDeps, name: string, opts: TransferOptions) => Promise<void>;

/** What a Registry is built from. */
export interface RegistryOptions {
  readonly store: ModelStore;
  readonly client: RegistryClient;
  readonly logger: Logger;
  readonly settings: RegistrySettings;
  /** pull/'s pullModel unless replaced (tests). */
  readonly pullModel?: TransferFn;
  /** push/'s pushModel unless replaced (tests). */
  readonly pushModel?: TransferFn;
}

/** Pull and push over one registry client; `close()` cancels every transfer. */
export class Registry {
  readonly #closing = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(private readonly opts: RegistryOptions) {}

  /** The registry serve uses: client settings, parts, stall timeout and pruning from the env registry. */
  static fromEnv(env: Env, store: ModelStore, logger: Logger): Registry {
    const client = createRegistryClient(clientOptionsFromEnv(env, logger.child("client")));
    return new Registry({ store, client, logger, settings: settingsFromEnv(env) });
  }

  /** Pulls `name` into the store; progress lines go to `opts.onProgress`. */
  pull(name: string, opts: TransferOptions = {}): Promise<void> {
    return this.#run(this.opts.pullModel ?? pullModel, name, opts);
  }

  /** Pushes the stored model `name` to its registry; progress lines go to `opts.onProgress`. */
  push(name: string, opts: TransferOptions = {}): Promise<void> {
    return this.#run(this.opts.pushModel ?? pushModel, name, opts);
  }

  /** Cancels every transfer and waits for them to settle (their resume state is on disk); idempotent. */
  async close(): Promise<void> {
    if (!this.#closing.signal.aborted) this.#closing.abort(new RegistryClosedError());
    await Promise.allSettled([...this.#inFlight]);
  }

  /**
   * Runs one transfer under the caller's signal joined with the shutdown signal. The name is matched to the
   * casing already in the store first (Ollama's getExistingName), so `Llama3` updates `llama3`'s manifest.
   */
  #run(transfer: TransferFn, name: string, opts: TransferOptions): Promise<void> {
    const closing = this.#closing.signal;
    if (closing.aborted) return Promise.reject(new RegistryClosedError());
    const signal = opts.signal ? AbortSignal.any([opts.signal, closing]) : closing;
    const { store, client, logger, settings } = this.opts;
    const deps: TransferDeps = { ...settings, store, client, logger };
    const run = (async () => {
      const parsed = parseName(name);
      // The store keeps no scheme: an explicit one (http://) survives only from the name as given.
      const scheme = parsed.scheme.toLowerCase() === "https" ? "" : `${parsed.scheme}://`;
      const existing = await store.resolveName(parsed);
      await transfer(deps, `${scheme}${formatName(existing)}`, { ...opts, signal });
    })();
    this.#inFlight.add(run);
    const forget = () => void this.#inFlight.delete(run);
    run.then(forget, forget);
    return run;
  }
}

/** TSLLM_DOWNLOAD_PARTS (at least 1), TSLLM_DOWNLOAD_STALL (a Go duration), the prune switch, the proxy and splice. */
export function settingsFromEnv(env: Env): RegistrySettings {
  const stall = parseDurationMs(env.get(ENV.DOWNLOAD_STALL));
  return {
    parts: Math.max(1, env.int(ENV.DOWNLOAD_PARTS)),
    stallMs: stall !== null && stall > 0 ? stall : DEFAULT_STALL_MS,
    prune: !noPrune(env.first(ENV.NOPRUNE, ENV.OLLAMA_NOPRUNE)),
    proxied: proxyConfigured(env),
    splice: env.bool(ENV.DOWNLOAD_SPLICE),
  };
}
