/**
 * What compute devices the server can plan for. The server process never loads libllama, so it asks a child
 * (`tsllm info --json`, the same executable) once at start-up; host memory is read live from the OS.
 */
import { freemem, totalmem } from "node:os";
import { ENV, type Env } from "../config/env.ts";
import type { Logger } from "../log.ts";
import { selfCommand } from "../runner/client.ts";
import type { Device } from "../scheduler/index.ts";

/** The probe's answer: the libllama variant runners will use and every ggml device. */
export interface DeviceProbe {
  variant: string;
  gpus: Device[];
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

/** The scheduler's device list: probed GPUs plus live host memory. */
export function deviceList(probe: DeviceProbe): () => Promise<Device[]> {
  return async () => [
    ...probe.gpus,
    { id: "cpu", name: "CPU", type: "cpu", free: freemem(), total: totalmem() },
  ];
}
