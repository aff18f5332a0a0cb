import { describe, expect, test } from "bun:test";
import { syntheticFacts } from "./layout/synthetic.ts";
import { effectiveOptions, freeMemory, sameLoadOptions } from "./memory.ts";
import type { LoadedModel } from "./model-table.ts";
import { testLoadOptions } from "./testing.ts";
import type { Device } from "./types.ts";

const holding = (mem: ReturnType<LoadedModel["memory"]>) => ({ memory: () => mem }) as unknown as LoadedModel;

describe("freeMemory", () => {
  const devices: Device[] = [
    { id: "cpu", name: "CPU", type: "cpu", free: 1000, total: 4000, swapFree: 50 },
    { id: "0", name: "Vulkan0", type: "gpu", free: 900, total: 1000, minimum: 10 },
  ];

  test("subtracts what loaded runners hold unless the device already reports less", () => {
    const m = holding([
      { device: "Vulkan0", weights: 300, kv_cache: 50, compute: 50 },
      { device: "CPU", weights: 3500, kv_cache: 0, compute: 0 },
    ]);
    const f = freeMemory(devices, [m]);
    expect(f.gpus).toEqual([{ id: "0", name: "Vulkan0", free: 600, total: 1000, minimum: 10 }]);
    expect(f.systemFree).toBe(500);
    expect(f.swapFree).toBe(50);
    expect(freeMemory(devices, []).gpus[0]?.free).toBe(900);
    expect(freeMemory(devices, []).systemFree).toBe(1000);
  });

  test("without a host entry, host memory is not limited", () => {
    expect(freeMemory(devices.slice(1), []).systemFree).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("load options", () => {
  const facts = syntheticFacts({ nCtxTrain: 2048 });

  test("effectiveOptions caps num_ctx, keeps at least 4 cells, fills num_parallel", () => {
    expect(effectiveOptions({ ...testLoadOptions, num_ctx: 9000 }, facts, 3)).toMatchObject({
      num_ctx: 2048,
      num_parallel: 3,
    });
    expect(effectiveOptions({ ...testLoadOptions, num_ctx: 1, num_parallel: 2 }, facts, 3)).toMatchObject({
      num_ctx: 4,
      num_parallel: 2,
    });
  });

  test("sameLoadOptions: every field must match, except a wanted num_gpu of -1", () => {
    const a = effectiveOptions(testLoadOptions, facts, 1);
    expect(sameLoadOptions(a, { ...a })).toBe(true);
    expect(sameLoadOptions({ ...a, num_gpu: 7 }, { ...a, num_gpu: -1 })).toBe(true);
    expect(sameLoadOptions({ ...a, num_gpu: -1 }, { ...a, num_gpu: 7 })).toBe(false);
    expect(sameLoadOptions(a, { ...a, kv_cache_type: "q8_0" })).toBe(false);
    expect(sameLoadOptions(a, { ...a, flash_attention: true })).toBe(false);
    expect(sameLoadOptions(a, { ...a, num_parallel: 2 })).toBe(false);
  });
});
