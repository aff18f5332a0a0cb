/**
 * `tsllm serve`: the composition root. Env registry → logger, model store, scheduler (runners are child
 * processes), inference services, the HTTP app, and Bun.serve on TSLLM_HOST (else OLLAMA_HOST).
 * SIGINT/SIGTERM stop accepting, drain in-flight requests for a bounded time, close every runner and exit 0.
 */
import { createFetchHandler } from "../api/index.ts";
import { accessOptionsFromEnv, tlsFromEnv } from "../api/guard/index.ts";
import { RequestLimiter } from "../api/limits/index.ts";
import { declaredEnv, ENV, Env } from "../config/env.ts";
import { type InferenceDeps, ModelCache, parseDuration, workerQuantizer } from "../inference/index.ts";
import type { BackendOptions } from "../llama/engine/backend.ts";
import { createLogger, type Logger } from "../log.ts";
import { RunnerClient } from "../runner/client.ts";
import type { LoadOptions } from "../runner/protocol.ts";
import { modelFactsFromGguf, Scheduler } from "../scheduler/index.ts";
import { deviceList, probeDevices } from "./devices.ts";
import { bindAddress } from "./host.ts";
import { cleanStore, ModelStore, noPrune, startBlobVerifier } from "../store/index.ts";
import { VERSION } from "../version.ts";

/** A started server. */
export interface RunningServer {
  /** `http://host:port` as bound (port 0 resolved); `https://` with TLS. */
  url: string;
  hostname: string;
  port: number;
  /** Stops accepting, waits up to `drainMs` for in-flight requests, closes every runner. Idempotent. */
  stop(drainMs?: number): Promise<void>;
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
  const scheduler = new Scheduler({
    spawnRunner: (spec) => new RunnerClient(spec, { env }),
    devices: deviceList(probe),
    describeModel: async (path) => modelFactsFromGguf(await cache.gguf(path)),
    maxQueue: env.int(ENV.MAX_QUEUE),
    maxLoadedModels: env.int(ENV.MAX_LOADED_MODELS),
    numParallel: env.int(ENV.NUM_PARALLEL),
    defaultKeepAliveMs: keepAlive < 0 ? -1 : keepAlive,
    variant,
    logger: logger.child("sched"),
  });
  const backend: BackendOptions = {
    variant,
    libDir: env.path(ENV.LIB_DIR) || undefined,
    cacheDir: env.path(ENV.CACHE_DIR),
    verbose: env.bool(ENV.DEBUG),
  };
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
    },
    quantize: workerQuantizer(backend),
  };
  const handle = createFetchHandler(deps, access);
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
  let stopping: Promise<void> | null = null;
  return {
    url,
    hostname,
    port: server.port as number,
    stop(drainMs = 10_000) {
      stopping ??= (async () => {
        log.info("shutting down");
        let timer: ReturnType<typeof setTimeout> | undefined;
        const deadline = new Promise<void>((r) => {
          timer = setTimeout(r, drainMs);
        });
        await Promise.race([server.stop(false), deadline]);
        clearTimeout(timer); // a pending timer would keep the process alive
        verifier.stop();
        // Bun's stop(true) neither ends a stalled request-body read nor resolves while one waits: end uploads.
        await store.close();
        await server.stop(true);
        limiter.dispose();
        await scheduler.shutdown();
        log.info("stopped");
      })();
      return stopping;
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
    const onSignal = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      void server.stop().then(resolve);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  return 0;
}
