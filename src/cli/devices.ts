/**
 * What compute devices the server can plan for. The server process never loads libllama, so it asks a child
 * (`tsllm info --json`, the same executable) once at start-up; host memory is read live from the OS.
 */
import { freemem, totalmem } from "node:os";
import type { Env } from "../config/env.ts";
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

interface InfoJson {
  variant: string;
  llama_version?: string;
  devices: { name: string; type: string; free: number; total: number }[];
}

/** Runs the probe; on failure falls back to CPU only and logs why. */
export async function probeDevices(env: Env, log: Logger): Promise<DeviceProbe> {
  try {
    const proc = Bun.spawn([...selfCommand(), "info", "--json"], {
      env: env.snapshot(),
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    if (code !== 0) throw new Error(err.trim() || `exit code ${code}`);
    const info = JSON.parse(out) as InfoJson;
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

/** The scheduler's device list: probed GPUs plus live host memory. */
export function deviceList(probe: DeviceProbe): () => Promise<Device[]> {
  return async () => [
    ...probe.gpus,
    { id: "cpu", name: "CPU", type: "cpu", free: freemem(), total: totalmem() },
  ];
}
