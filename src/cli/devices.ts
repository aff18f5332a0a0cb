/**
 * What compute devices the server can plan for. The server process never loads libllama, so it asks a child
 * (`tsllm info --json`, the same executable) once at start-up; host memory is read live from the OS.
 */
import { freemem, totalmem } from "node:os";
import { ENV, type Env } from "../config/env.ts";
import type { Logger } from "../log.ts";
import { selfCommand } from "../runner/client.ts";
import type { Device } from "../scheduler/index.ts";
import { parseRpcServers, rpcDevices } from "../scheduler/rpc.ts";
import { resolveBackend } from "../llama/engine/backend.ts";
import { findRpcLibrary, readRpcLibraryMeta } from "../llama/ffi/rpc-library.ts";
import { probeRpcServer, type RpcProto } from "../llama/ffi/rpc-probe.ts";
import { probeCache } from "./rpc-probe-cache.ts";
import type { RpcHost } from "../scheduler/rpc.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The probe's answer: the libllama variant runners will use and every ggml device. */
export interface DeviceProbe {
  variant: string;
  gpus: Device[];
  /** TSLLM_RPC_SERVERS, probed again before every load (absent when unset or unusable). */
  rpc?: RpcServers;
  /** llama.cpp release of the libraries (e.g. "v0.5.0"), "unknown" when the probe failed. */
  llamaVersion: string;
}

/** What `tsllm info --json` answers (the parts serve uses). */
export interface InfoJson {
  variant: string;
  llama_version?: string;
  /** Variants passed over and whether that is worth a warning (an override or an NVIDIA GPU unmet). */
  choice?: { skipped: string[]; fell_back: boolean };
  /** The chosen GPU library loaded but registered no device; `fallback` is the variant to use instead. */
  load_error?: string;
  fallback?: string;
  devices: { name: string; type: string; free: number; total: number }[];
}

/** Runs `tsllm info --json` in a child with `env` (injectable for tests). */
export type InfoRunner = (env: Record<string, string>) => Promise<InfoJson>;

/** Runs the probe; on failure falls back to CPU only and logs why. */
export async function probeDevices(
  env: Env,
  log: Logger,
  runInfo: InfoRunner = spawnInfo,
): Promise<DeviceProbe> {
  // Outside the try: a malformed list stops serve with a message naming the entry.
  const entries = parseRpcServers(env.get(ENV.RPC_SERVERS));
  const endpoints = entries.map((e) => e.endpoint);
  const probe = await probeLocal(env, log, runInfo);
  if (endpoints.length === 0) return probe;
  const caps = new Map(entries.flatMap((e) => (e.cap === undefined ? [] : [[e.endpoint, e.cap] as const])));
  const rpc = rpcServers(endpoints, caps, env, probe.variant, log);
  if (rpc) {
    const hosts = await rpc.probe();
    log.info("rpc servers", {
      usable:
        hosts
          .filter((h) => h.devices.length > 0)
          .map((h) => {
            const cap = caps.get(h.endpoint);
            const free = gib(h.devices.reduce((n, d) => n + d.free, 0));
            return `${h.endpoint} ${free} free${cap === undefined ? "" : ` (capped at ${gib(cap)})`}`;
          })
          .join(", ") || "none",
    });
  }
  return rpc ? { ...probe, rpc } : probe;
}

async function probeLocal(env: Env, log: Logger, runInfo: InfoRunner): Promise<DeviceProbe> {
  try {
    let info = await runInfo(env.snapshot());
    let reasons = info.choice?.fell_back ? info.choice.skipped : [];
    // A GPU library that passed the probe but failed inside ggml: re-probe with the next variant, which the
    // runners then get as their explicit choice (the scheduler passes probe.variant to each runner).
    if (info.load_error && info.fallback && info.fallback !== info.variant) {
      const failed = info.load_error;
      info = await runInfo({ ...env.snapshot(), [ENV.LLM_LIBRARY.name]: info.fallback });
      reasons = [...reasons, failed];
    }
    if (reasons.length > 0)
      log.warn("llm library fallback", { reason: [...reasons, `using ${info.variant}`].join("; ") });
    const gpus = info.devices
      .filter((d) => d.type === "gpu" || d.type === "igpu")
      .map((d): Device => ({ id: d.name, name: d.name, type: "gpu", free: d.free, total: d.total }));
    log.info("inference compute", {
      library: info.variant,
      gpus: gpus.map((g) => `${g.name} ${(g.total / 2 ** 30).toFixed(1)} GiB`).join(", ") || "none",
    });
    return { variant: info.variant, gpus, llamaVersion: info.llama_version ?? "unknown" };
  } catch (e) {
    log.warn("device probe failed, planning for CPU only", { error: (e as Error).message });
    return { variant: "cpu", gpus: [], llamaVersion: "unknown" };
  }
}

async function spawnInfo(env: Record<string, string>): Promise<InfoJson> {
  const proc = Bun.spawn([...selfCommand(), "info", "--json"], { env, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(err.trim() || `exit code ${code}`);
  return JSON.parse(out) as InfoJson;
}

/** The scheduler's device list: probed GPUs, every configured RPC server (no memory while it does not answer), live host memory. */
export function deviceList(probe: DeviceProbe): () => Promise<Device[]> {
  return async () => [
    ...probe.gpus,
    ...(probe.rpc ? rpcDevices(await probe.rpc.probe(), probe.rpc.caps) : []),
    { id: "cpu", name: "CPU", type: "cpu", free: freemem(), total: totalmem() },
  ];
}

/**
 * The configured RPC servers. `probe` answers every one of them, in order: the devices of those that answer
 * now, no devices for the others (logged once per change).
 */
export interface RpcServers {
  endpoints: string[];
  /** Per-server caps ("host:port@4GiB"), bytes by endpoint. */
  caps: ReadonlyMap<string, number>;
  probe(): Promise<RpcHost[]>;
}

/** Protocol of ggml-rpc.h in the pinned release, for libraries without build-native-extras.sh's metadata. */
const PINNED_PROTO: RpcProto = { major: 7, minor: 0, patch: 0 };
/** Serve probes before every load and metrics scrape: keep it short (a server busy with a runner answers nobody else). */
const PROBE_TIMEOUT_MS = 1500;
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** The RPC servers runners can use; null (with a warning) when this build has no RPC backend. */
function rpcServers(
  endpoints: string[],
  caps: ReadonlyMap<string, number>,
  env: Env,
  variant: string,
  log: Logger,
): RpcServers | null {
  let proto = PINNED_PROTO;
  try {
    const lib = resolveBackend({
      variant,
      libDir: env.path(ENV.LIB_DIR) || undefined,
      cacheDir: env.path(ENV.CACHE_DIR),
    });
    const meta = JSON.parse(readFileSync(join(lib.dir, "_nlcBuildMetadata.json"), "utf8"));
    const file = findRpcLibrary(lib, String(meta?.buildOptions?.llamaCpp?.release ?? "unknown"), env);
    if (!file) throw new Error("libggml-rpc.so not found (build it with scripts/build-native-extras.sh)");
    const [major, minor, patch] = (readRpcLibraryMeta(file)?.rpcProto ?? "").split(".").map(Number);
    if (major !== undefined && minor !== undefined && patch !== undefined && !Number.isNaN(major))
      proto = { major, minor, patch };
  } catch (e) {
    log.warn("TSLLM_RPC_SERVERS ignored: the ggml RPC backend is not available", {
      error: (e as Error).message,
    });
    return null;
  }
  const probe = probeCache(
    endpoints,
    (ep) => probeRpcServer(ep, proto, { timeoutMs: PROBE_TIMEOUT_MS }),
    log,
  );
  return { ...probe, caps };
}
