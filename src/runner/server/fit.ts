/**
 * Memory a layout needs, per device, read from what libllama logs while loading and creating a context
 * (the C API has no per-device breakdown). "fit" loads with no_alloc, so nothing is allocated; model
 * buffers then log as 0 and weights are apportioned by offloaded layers instead.
 */
import { Context } from "../../llama/engine/context.ts";
import { Model } from "../../llama/engine/model.ts";
import type { DeviceMemory, LoadOptions, LoadResponse } from "../protocol.ts";
import { contextBatch, contextSize } from "./context-options.ts";

const MiB = 2 ** 20;

/** Parses "<dev> model|KV|compute buffer size = N MiB" lines into per-device totals. */
export function parseBuffers(log: string): { memory: DeviceMemory[]; offloaded: number; total: number } {
  const byDev = new Map<string, DeviceMemory>();
  for (const m of log.matchAll(/(\S+) (model|KV|compute) buffer size =\s*([\d.]+) MiB/g)) {
    const dev = normalise(m[1] as string);
    const d = byDev.get(dev) ?? { device: dev, weights: 0, kv_cache: 0, compute: 0 };
    const bytes = Number(m[3]) * MiB;
    if (m[2] === "model") d.weights += bytes;
    else if (m[2] === "KV") d.kv_cache += bytes;
    else d.compute += bytes;
    byDev.set(dev, d);
  }
  const off = /offloaded (\d+)\/(\d+) layers to GPU/.exec(log);
  return {
    memory: [...byDev.values()],
    offloaded: off ? Number(off[1]) : 0,
    total: off ? Number(off[2]) : 0,
  };
}

function normalise(name: string): string {
  // CPU_Mapped, CPU_REPACK, Vulkan_Host, CUDA_Host … are all host memory.
  return /^CPU|_Host$/i.test(name) ? "CPU" : name;
}

/** Builds the /load answer; for "fit" it loads with no_alloc first (and frees everything again). */
export function fitReport(path: string, o: LoadOptions, model?: Model, ctx?: Context): LoadResponse {
  let m = model;
  let c = ctx;
  const simulate = !m;
  try {
    m ??= Model.load(path, { nGpuLayers: o.num_gpu, mainGpu: o.main_gpu, noAlloc: true });
    c ??= new Context(m, {
      nCtx: contextSize(o),
      nBatch: contextBatch(o),
      nSeqMax: o.num_parallel,
      kvType: o.kv_cache_type,
      kvUnified: true,
    });
    const parsed = parseBuffers(`${m.loadLog}\n${c.initLog}`);
    const total = parsed.total || m.nLayer + 1;
    if (parsed.memory.every((d) => d.weights === 0))
      apportionWeights(parsed.memory, m.size, parsed.offloaded / total);
    return { success: true, layers_offloaded: parsed.offloaded, layers_total: total, memory: parsed.memory };
  } finally {
    if (simulate) {
      c?.dispose();
      m?.dispose();
    }
  }
}

function apportionWeights(memory: DeviceMemory[], size: number, gpuShare: number): void {
  const gpus = memory.filter((d) => d.device !== "CPU");
  let cpu = memory.find((d) => d.device === "CPU");
  if (!cpu) {
    cpu = { device: "CPU", weights: 0, kv_cache: 0, compute: 0 };
    memory.push(cpu);
  }
  cpu.weights = size * (gpus.length ? 1 - gpuShare : 1);
  for (const g of gpus) g.weights = (size * gpuShare) / gpus.length;
}
