/**
 * planLayout: decides how many layers go to which GPU and what stays in host memory, from free memory
 * figures and the model's costs. Pure and synchronous; the scheduler feeds it live device numbers.
 */
import { InvalidModelFileError } from "../../gguf/errors.ts";
import { LLAMA_MAX_LAYERS } from "../../gguf/limits.ts";
import { type Assignment, assignLayers, assignedCount } from "./assign.ts";
import { graphSize, type KvCacheType, layerCosts } from "./cost.ts";
import { humanBytes, InsufficientMemoryError, RequireFullOffloadError } from "./errors.ts";
import type { ModelFacts } from "./facts.ts";

/** Memory kept free on every GPU when the device does not say otherwise (driver and runtime overhead). */
export const DEFAULT_GPU_MINIMUM = 457 * 1024 * 1024;

/** A GPU as the planner sees it; memory in bytes. */
export interface GpuInfo {
  id: string;
  name: string;
  free: number;
  total: number;
  /** Bytes to leave unused on this GPU; DEFAULT_GPU_MINIMUM when absent. */
  minimum?: number;
}

/** Everything planLayout needs. */
export interface LayoutInput {
  facts: ModelFacts;
  numCtx: number;
  numBatch: number;
  kvType: KvCacheType;
  numParallel: number;
  gpus: GpuInfo[];
  /** Free host RAM in bytes. */
  systemFree: number;
  /** Free swap in bytes (counts only when the layout is not required to fit fully). */
  swapFree?: number;
  /** Layers to offload: -1 = as many as fit, 0 = CPU only, N = N layers (the output head counts as one). */
  requestedLayers: number;
  /** Fail unless the whole model fits on the GPUs (or, CPU-only, in free RAM without swap). */
  requireFull: boolean;
  /** Spread the layers over every GPU by free memory instead of using as few GPUs as hold them. */
  spread?: boolean;
}

/** Bytes one device holds for the model. */
export interface DeviceUse {
  weights: number;
  kv: number;
  compute: number;
}

/** What one GPU takes. `layers` are indices; index nLayer is the output head. */
export interface GpuPlacement extends DeviceUse {
  id: string;
  name: string;
  layers: number[];
}

/** A memory layout for one model load. */
export interface LayoutPlan {
  /** GPUs that take at least one layer, in layer order. */
  gpus: GpuPlacement[];
  /** Layers offloaded (blocks plus the output head) — the runner's num_gpu. */
  offloaded: number;
  /** Blocks + 1 (the output head). */
  totalLayers: number;
  /** Host memory use. */
  cpu: DeviceUse;
  cpuBytes: number;
  vramBytes: number;
  /** True when the layout can be loaded; otherwise `error` says why. */
  fits: boolean;
  error: InsufficientMemoryError | RequireFullOffloadError | null;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Plans a layout: GPUs sorted by free memory, layers balanced by a capacity factor, host memory checked. */
export function planLayout(input: LayoutInput): LayoutPlan {
  const { facts, requestedLayers, requireFull } = input;
  // Every loop below runs over the layers: facts not built by modelFactsFromGguf are bounded here too.
  const layers = Math.max(facts.nLayer, facts.layerBytes.length, facts.nHeadKvPerLayer.length);
  if (!(layers <= LLAMA_MAX_LAYERS)) {
    throw new InvalidModelFileError([
      `the model has ${layers} layers, more than llama.cpp's limit of ${LLAMA_MAX_LAYERS}`,
    ]);
  }
  const costs = layerCosts(facts, input.numCtx, input.kvType);
  const graph = graphSize(facts, input.numCtx, input.numBatch, input.numParallel);
  const totalLayers = costs.total.length;

  const gpus =
    requestedLayers === 0 ? [] : [...input.gpus].sort((a, b) => b.free - a.free || a.id.localeCompare(b.id));
  // One block's worth of slack per GPU absorbs estimation error (as Ollama does with blk.0).
  const slack = costs.total[0] ?? 0;
  const base = gpus.map((g) => Math.max(0, g.free - slack - (g.minimum ?? DEFAULT_GPU_MINIMUM)));

  // A GPU that takes layers also needs a compute buffer: reserve it on every GPU used and re-plan until
  // the set of used GPUs stops growing.
  const reserved = new Set<number>();
  let assignment: Assignment[] = [];
  for (;;) {
    const graphReserve = Math.max(graph.full, graph.partial);
    const caps = base.map((c, i) => Math.max(0, c - (reserved.has(i) ? graphReserve : 0)));
    assignment = assignLayers(costs.total, caps, requireFull, requestedLayers, input.spread);
    const fresh = assignment.map((a) => a.gpu).filter((g) => !reserved.has(g));
    if (fresh.length === 0) break;
    for (const g of fresh) reserved.add(g);
  }

  const offloaded = assignedCount(assignment);
  const full = offloaded === totalLayers;
  const onGpu = new Set(assignment.flatMap((a) => a.layers));
  const placements: GpuPlacement[] = assignment.map((a) => {
    const g = gpus[a.gpu] as GpuInfo;
    return {
      id: g.id,
      name: g.name,
      layers: a.layers,
      weights: sum(a.layers.map((l) => costs.weights[l] ?? 0)),
      kv: sum(a.layers.map((l) => costs.kv[l] ?? 0)),
      compute: full ? graph.full : graph.partial,
    };
  });

  const cpuLayers = costs.total.map((_, i) => i).filter((i) => !onGpu.has(i));
  const cpu: DeviceUse = {
    weights: facts.tokenEmbdBytes + sum(cpuLayers.map((l) => costs.weights[l] ?? 0)),
    kv: sum(cpuLayers.map((l) => costs.kv[l] ?? 0)),
    compute: (cpuLayers.length > 0 ? graph.cpu : graph.cpuInput) + graph.logits,
  };
  const cpuBytes = cpu.weights + cpu.kv + cpu.compute;
  const vramBytes = sum(placements.map((p) => p.weights + p.kv + p.compute));

  const error = verify(input, gpus.length, offloaded, totalLayers, cpuBytes);
  return { gpus: placements, offloaded, totalLayers, cpu, cpuBytes, vramBytes, fits: error === null, error };
}

function verify(
  input: LayoutInput,
  gpuCount: number,
  offloaded: number,
  totalLayers: number,
  cpuBytes: number,
): InsufficientMemoryError | RequireFullOffloadError | null {
  if (input.requireFull) {
    const wanted = input.requestedLayers < 0 ? totalLayers : Math.min(input.requestedLayers, totalLayers);
    if (gpuCount > 0 && offloaded < wanted) {
      return new RequireFullOffloadError(
        `model requires more GPU memory than is currently available (${offloaded}/${totalLayers} layers fit)`,
      );
    }
    if (cpuBytes > input.systemFree) {
      return new RequireFullOffloadError(
        `model requires more system memory (${humanBytes(cpuBytes)}) than is currently free (${humanBytes(input.systemFree)})`,
      );
    }
  }
  const available = input.systemFree + (input.swapFree ?? 0);
  if (cpuBytes > available) return new InsufficientMemoryError(cpuBytes, available);
  return null;
}
