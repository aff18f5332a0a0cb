import { describe, expect, test } from "bun:test";
import { InsufficientMemoryError, RequireFullOffloadError } from "./errors.ts";
import { DEFAULT_GPU_MINIMUM, type GpuInfo, type LayoutInput, planLayout } from "./plan.ts";
import { syntheticFacts } from "./synthetic.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

// 8 blocks of 100 MiB (+256 KiB KV at 1024 cells), a 50 MiB head, 50 MiB token_embd; ~12 MiB compute.
const facts = syntheticFacts();
const gpu = (id: string, freeMiB: number, minimum = 0): GpuInfo => ({
  id,
  name: `GPU${id}`,
  free: freeMiB * MiB,
  total: freeMiB * MiB,
  minimum,
});

function plan(over: Partial<LayoutInput>) {
  return planLayout({
    facts,
    numCtx: 1024,
    numBatch: 512,
    kvType: "f16",
    numParallel: 1,
    gpus: [],
    systemFree: 16 * GiB,
    requestedLayers: -1,
    requireFull: false,
    ...over,
  });
}

const layersPerGpu = (p: ReturnType<typeof plan>) => p.gpus.map((g) => g.layers.length);

describe("planLayout", () => {
  test.each([
    // name, gpus (free MiB), requested, offloaded, layers per GPU
    ["CPU only machine", [], -1, 0, []],
    ["num_gpu 0 ignores GPUs", [4096], 0, 0, []],
    ["one GPU, full fit", [2048], -1, 9, [9]],
    ["one GPU, partial fit leaves the head on CPU", [600], -1, 4, [4]],
    ["one GPU, nothing fits", [100], -1, 0, []],
    ["two GPUs, one is enough", [4096, 2048], -1, 9, [9]],
    ["two uneven GPUs share by free memory", [400, 800], -1, 9, [6, 3]],
    ["three GPUs", [450, 450, 450], -1, 9, [3, 3, 3]],
    ["four GPUs needed", [400, 400, 400, 400], -1, 9, [2, 2, 2, 3]],
    ["explicit count", [2048], 3, 3, [3]],
    ["explicit count above total", [2048], 20, 9, [9]],
    ["explicit count forced past free memory", [300], 6, 6, [6]],
  ] as const)("%s", (_name, frees, requested, offloaded, split) => {
    const p = plan({ gpus: frees.map((f, i) => gpu(String(i), f)), requestedLayers: requested });
    expect(p.offloaded).toBe(offloaded);
    expect(layersPerGpu(p)).toEqual([...split]);
    expect(p.fits).toBe(true);
    expect(p.error).toBeNull();
    expect(p.totalLayers).toBe(9);
  });

  test("layers are a contiguous suffix; the head is offloaded only with every block", () => {
    expect(plan({ gpus: [gpu("0", 600)] }).gpus[0]?.layers).toEqual([4, 5, 6, 7]);
    expect(plan({ gpus: [gpu("0", 2048)], requestedLayers: 3 }).gpus[0]?.layers).toEqual([5, 6, 7]);
    const p = plan({ gpus: [gpu("small", 400), gpu("big", 800)] });
    expect(p.gpus.map((g) => g.id)).toEqual(["big", "small"]);
    expect(p.gpus.flatMap((g) => g.layers)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test("per-device memory adds up and stays within each GPU", () => {
    const gpus = [gpu("a", 800), gpu("b", 400)];
    const p = plan({ gpus });
    for (const g of p.gpus) {
      const free = gpus.find((x) => x.id === g.id)?.free ?? 0;
      expect(g.weights + g.kv + g.compute).toBeLessThanOrEqual(free);
      expect(g.compute).toBeGreaterThan(0);
    }
    const weights = p.gpus.reduce((n, g) => n + g.weights, 0);
    expect(weights).toBe(8 * 100 * MiB + 50 * MiB);
    expect(p.cpu.weights).toBe(50 * MiB); // token_embd stays on the host
    expect(p.cpu.kv).toBe(0);
    expect(p.vramBytes).toBe(p.gpus.reduce((n, g) => n + g.weights + g.kv + g.compute, 0));
  });

  test("partial offload keeps the rest, with its cache, in host memory", () => {
    const p = plan({ gpus: [gpu("0", 600)] });
    expect(p.cpu.weights).toBe(50 * MiB + 4 * 100 * MiB + 50 * MiB);
    expect(p.cpu.kv).toBe(4 * 1024 * 128 * 2);
    expect(p.cpuBytes).toBe(p.cpu.weights + p.cpu.kv + p.cpu.compute);
  });

  test("the default minimum is reserved when a GPU does not give one", () => {
    const g = { id: "0", name: "GPU0", free: DEFAULT_GPU_MINIMUM + 150 * MiB, total: 4 * GiB };
    expect(plan({ gpus: [g] }).offloaded).toBe(0);
    expect(plan({ gpus: [{ ...g, minimum: 0 }] }).offloaded).toBeGreaterThan(0);
  });

  test("a huge context pushes layers to the CPU", () => {
    const gpus = [gpu("0", 2048)];
    const small = plan({ gpus, numCtx: 1024 });
    const huge = plan({ gpus, numCtx: 131072 });
    expect(small.offloaded).toBe(9);
    expect(huge.offloaded).toBeLessThan(small.offloaded);
    expect(huge.cpu.kv).toBeGreaterThan(0);
    expect(plan({ gpus, numCtx: 131072, kvType: "q4_0" }).offloaded).toBeGreaterThan(huge.offloaded);
  });

  test("requireFull: a partial layout is refused, a full one accepted", () => {
    const partial = plan({ gpus: [gpu("0", 600)], requireFull: true });
    expect(partial.fits).toBe(false);
    expect(partial.error).toBeInstanceOf(RequireFullOffloadError);
    expect(partial.error?.status).toBe(503);
    expect(plan({ gpus: [gpu("0", 2048)], requireFull: true }).fits).toBe(true);
    // an explicit layer count is satisfied once that many layers are on GPU
    expect(plan({ gpus: [gpu("0", 600)], requestedLayers: 3, requireFull: true }).fits).toBe(true);
  });

  test("host memory: swap counts, except when the load must fit fully", () => {
    const none = plan({ systemFree: 100 * MiB });
    expect(none.fits).toBe(false);
    expect(none.error).toBeInstanceOf(InsufficientMemoryError);
    expect(none.error?.message).toMatch(/^model requires more system memory \(\d+ MiB\) than is available/);
    expect(plan({ systemFree: 100 * MiB, swapFree: 4 * GiB }).fits).toBe(true);
    const strict = plan({ systemFree: 100 * MiB, swapFree: 4 * GiB, requireFull: true });
    expect(strict.error).toBeInstanceOf(RequireFullOffloadError);
    // offloading everything leaves only token_embd and buffers on the host
    expect(plan({ gpus: [gpu("0", 2048)], systemFree: 100 * MiB }).fits).toBe(true);
  });
});
