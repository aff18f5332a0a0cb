/**
 * `tsllm serve`: the composition root. Env registry → logger, model store, scheduler (runners are child
 * processes), inference services, the HTTP app, and Bun.serve on TSLLM_HOST (else OLLAMA_HOST).
 * SIGINT/SIGTERM start the drain: new requests get 503 (and /health 503) while in-flight ones run on for up to
 * TSLLM_SHUTDOWN_TIMEOUT; then what is left is ended (generations finish with done_reason "shutdown"), every
 * runner is closed and serve exits 0. A second signal ends everything at once (runners still closed).
 */
import { createFetchHandler } from "../api/index.ts";
import { accessOptionsFromEnv, tlsFromEnv } from "../api/guard/index.ts";
import { RequestLimiter } from "../api/limits/index.ts";
import { requestLogObserver } from "../api/ops/request-log.ts";
import { ServeState } from "../api/ops/serve-state.ts";
import { parseDurationMs } from "../config/duration.ts";
import { declaredEnv, ENV, Env } from "../config/env.ts";
import {
  type InferenceDeps,
  ModelCache,
  parseDuration,
  WebpConverter,
  workerQuantizer,
} from "../inference/index.ts";
import type { BackendOptions } from "../llama/engine/backend.ts";
import { createLogger, type Logger } from "../log.ts";
import { RunnerClient } from "../runner/client.ts";
import type { LoadOptions } from "../runner/protocol.ts";
import { Registry } from "../registry/index.ts";
import { modelFactsFromGguf, Scheduler } from "../scheduler/index.ts";
import { Metrics } from "../observe/metrics/index.ts";
import { deviceList, probeDevices } from "./devices.ts";
import { bindAddress } from "./host.ts";
import { cleanStore, ModelStore, noPrune, startBlobVerifier } from "../store/index.ts";
import { uiSource } from "../ui/assets.ts";
import { VERSION } from "../version.ts";

/** How long ended generations get to send their final chunk before connections are closed. */
const END_GRACE_MS = 5_000;
/** How long the drained server gets to write out queued bytes before connections are closed. */
const FLUSH_MS = 2_000;

/** Waits for `p`, but no longer than `ms` (its timer cleared, so it never holds the process). */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** A started server. */
export interface RunningServer {
  /** `http://host:port` as bound (port 0 resolved); `https://` with TLS. */
  url: string;
  hostname: string;
  port: number;
  /**
   * Drains: refuses new requests (503), waits up to `drainMs` (default TSLLM_SHUTDOWN_TIMEOUT) for in-flight
   * ones, ends the rest, closes every runner. Idempotent.
   */
  stop(drainMs?: number): Promise<void>;
  /** Ends everything now: in-flight requests are cut and every runner is closed. */
  kill(): Promise<void>;
}

function kvType(env: Env, log: Logger): LoadOptions["kv_cache_type"] {
  const v = env.get(ENV.KV_CACHE_TYPE).toLowerCase();
  if (v === "f16" || v === "q8_0" || v === "q4_0" || v === "f32") return v;
  log.warn("unknown KV cache type, using f16", { value: v });
  return "f16";
}

/** Builds everything and listens; used by `tsllm serve` and by in-process tests. */
export async function startServer(env: Env, logger: Logger = createLogger(env)): Promise<RunningServer> {
  const log = logger.child("server");
  for (const name of env.unknown()) log.warn("unknown environment variable", { name });
  // Access settings first: a bad TLS or keys setting stops serve before anything starts.
  const tls = tlsFromEnv(env);
  const access = accessOptionsFromEnv(env, bindAddress(env).hostname, logger.child("access"));
  const store = ModelStore.fromEnv(env);
  // Before listening, so no create of this process races the prune; hashing every blob runs in the background.
  await cleanStore(store, {
    prune: !noPrune(env.first(ENV.NOPRUNE, ENV.OLLAMA_NOPRUNE)),
    logger: logger.child("store"),
  });
  const verifier = startBlobVerifier(store, { logger: logger.child("store") });
  const cache = new ModelCache();
  const keepAlive = parseDuration(env.get(ENV.KEEP_ALIVE));
  const probe = await probeDevices(env, log);
  const variant = probe.variant;
  const devices = deviceList(probe);
  // Prometheus metrics (TSLLM_METRICS): fed by finished requests and scheduler events, the rest read at scrape.
  const metrics = env.bool(ENV.METRICS)
    ? new Metrics(
        { version: VERSION, llamacppVersion: probe.llamaVersion, library: variant },
        { activity: () => scheduler.activity(), devices },
      )
    : undefined;
  const scheduler: Scheduler = new Scheduler({
    spawnRunner: (spec) => new RunnerClient(spec, { env }),
    devices,
    describeModel: async (path) => modelFactsFromGguf(await cache.gguf(path)),
    maxQueue: env.int(ENV.MAX_QUEUE),
    maxLoadedModels: env.int(ENV.MAX_LOADED_MODELS),
    numParallel: env.int(ENV.NUM_PARALLEL),
    defaultKeepAliveMs: keepAlive < 0 ? -1 : keepAlive,
    variant,
    logger: logger.child("sched"),
    events: metrics?.schedulerEvents,
  });
  const backend: BackendOptions = {
    variant,
    libDir: env.path(ENV.LIB_DIR) || undefined,
    cacheDir: env.path(ENV.CACHE_DIR),
    verbose: env.bool(ENV.DEBUG),
  };
  const registry = Registry.fromEnv(env, store, logger.child("registry"));
  const deps: InferenceDeps = {
    store,
    cache,
    scheduler,
    logger: logger.child("api"),
    config: {
      contextLength: env.int(ENV.CONTEXT_LENGTH),
      numThread: env.int(ENV.NUM_THREADS),
      flashAttention: env.bool(ENV.FLASH_ATTENTION),
      kvCacheType: kvType(env, log),
      totalVram: async () => probe.gpus.reduce((n, g) => n + g.total, 0),
      maxImagePixels: env.int(ENV.MAX_IMAGE_PIXELS),
    },
    quantize: workerQuantizer(backend),
    registry,
    webp: new WebpConverter(),
  };
  // The web UI (TSLLM_UI): its files are read from the executable, or built from source in development.
  const ui = env.bool(ENV.UI) ? uiSource() : undefined;
  // Requests in flight and the drain flag (ops/serve-state.ts); each finished request goes to the observers.
  const state = new ServeState();
  const handle = createFetchHandler({ ...deps, ui, metrics }, access, {
    observers: [requestLogObserver(logger.child("request")), ...(metrics ? [metrics.observe] : [])],
    state,
  });
  const { hostname, port, invalidPort } = bindAddress(env);
  if (invalidPort !== undefined)
    log.warn("invalid port, using default", { port: invalidPort, default: port });
  // Body size, read timeouts and big-body parsing (api/limits/); the idle timeout closes idle connections.
  const limiter = RequestLimiter.fromEnv(env);
  // Blob uploads are model-sized: no body size limit here (they stream to disk; JSON bodies are limited).
  const server = Bun.serve({
    hostname,
    port,
    fetch: limiter.wrap(handle),
    idleTimeout: limiter.idleTimeout,
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    ...(tls ? { tls } : {}),
  });
  const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
  const url = `${tls ? "https" : "http"}://${shown}:${server.port}`;
  log.info(`Listening on ${tls ? url : `${shown}:${server.port}`} (version ${VERSION})`);
  const shutdownMs = Math.max(
    0,
    parseDurationMs(env.get(ENV.SHUTDOWN_TIMEOUT)) ??
      (parseDurationMs(ENV.SHUTDOWN_TIMEOUT.default) as number),
  );
  let stopping: Promise<void> | null = null;
  return {
    url,
    hostname,
    port: server.port as number,
    stop(drainMs = shutdownMs) {
      stopping ??= (async () => {
        state.drain();
        log.info("shutting down", { in_flight: state.active, timeout_ms: drainMs });
        // Transfers first: a pull stream would otherwise hold the drain until its deadline. Each keeps its
        // resume state, so the pull continues after a restart.
        const transfers = registry.close();
        // The listener stays open while draining: new requests are answered 503, not refused a connection.
        const drained = await state.idle(drainMs);
        if (!drained) {
          log.warn("shutdown timeout: ending requests in flight", { in_flight: state.active });
          scheduler.endInFlight("shutdown");
        }
        verifier.stop();
        await transfers;
        // Bun's stop(true) neither ends a stalled request-body read nor resolves while one waits: end uploads.
        await store.close();
        // Ended generations stop at their next decode step and send their final chunk before the close.
        if (!drained) await state.idle(END_GRACE_MS);
        // An answer's last bytes may still be queued when it counts as ended: a graceful stop lets them out.
        await within(server.stop(false), FLUSH_MS);
        await server.stop(true);
        limiter.dispose();
        await scheduler.shutdown();
        log.info("stopped");
      })();
      return stopping;
    },
    async kill() {
      state.drain();
      log.warn("stopping now", { in_flight: state.active });
      scheduler.endInFlight("shutdown");
      await Promise.allSettled([registry.close(), scheduler.shutdown(), server.stop(true)]);
    },
  };
}

/** `serve --help`: every declared variable with its default and description. */
function help(): string {
  const rows = declaredEnv().map(
    (v) => `  ${v.name.padEnd(26)} ${v.description} (default: ${v.default || '""'})`,
  );
  return `Usage: tsllm serve\n\nStart the server.\n\nEnvironment variables:\n${rows.join("\n")}\n`;
}

/** Runs the server until SIGINT/SIGTERM. */
export async function serveCommand(args: string[], env: Env = new Env()): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(help());
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`Error: unknown argument "${args[0]}" for serve\n\n${help()}`);
    return 2;
  }
  const server = await startServer(env);
  await new Promise<void>((resolve) => {
    let signalled = false;
    const onSignal = () => {
      if (!signalled) {
        signalled = true;
        void server.stop().then(resolve);
        return;
      }
      // A second signal: the operator will not wait. Runners are still closed (no orphan), then exit.
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      void server.kill().then(() => process.exit(0));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  return 0;
}
