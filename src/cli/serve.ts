/**
 * `tsllm serve`: the composition root. Env registry → logger, model store, scheduler (runners are child
 * processes), inference services, the HTTP app, and Bun.serve on TSLLM_HOST (else OLLAMA_HOST).
 * SIGINT/SIGTERM stop accepting, drain in-flight requests for a bounded time, close every runner and exit 0.
 */
import { createFetchHandler } from "../api/index.ts";
import { declaredEnv, ENV, Env } from "../config/env.ts";
import { type InferenceDeps, ModelCache, parseDuration, workerQuantizer } from "../inference/index.ts";
import type { BackendOptions } from "../llama/engine/backend.ts";
import { createLogger, type Logger } from "../log.ts";
import { RunnerClient } from "../runner/client.ts";
import type { LoadOptions } from "../runner/protocol.ts";
import { modelFactsFromGguf, Scheduler } from "../scheduler/index.ts";
import { deviceList, probeDevices } from "./devices.ts";
import { bindAddress } from "./host.ts";
import { ModelStore } from "../store/index.ts";
import { VERSION } from "../version.ts";

/** A started server. */
export interface RunningServer {
  /** `http://host:port` as bound (port 0 resolved). */
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
  const store = ModelStore.fromEnv(env);
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
  const handle = createFetchHandler(deps);
  const { hostname, port, invalidPort } = bindAddress(env);
  if (invalidPort !== undefined)
    log.warn("invalid port, using default", { port: invalidPort, default: port });
  // Blob uploads are model-sized: no body size limit (they stream to disk).
  const server = Bun.serve({
    hostname,
    port,
    fetch: handle,
    idleTimeout: 0,
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
  });
  const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
  const url = `http://${shown}:${server.port}`;
  log.info(`Listening on ${shown}:${server.port} (version ${VERSION})`);
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
        await server.stop(true);
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
