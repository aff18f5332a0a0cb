import { describe, expect, test } from "bun:test";
import { syntheticFacts } from "./layout/synthetic.ts";
import {
  FakeRunner,
  promiseState,
  settle,
  testLoadOptions,
  testRequest as req,
  testScheduler,
} from "./testing.ts";
import type { LoadOptions, LoadResponse } from "../runner/protocol.ts";
import type { Device } from "./types.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
// The default test model (4 × 100 MiB blocks, 50 MiB head, 50 MiB token_embd) needs ~513 MiB at 1024 cells.
const gpu = (freeMiB: number): Device => ({
  id: "Vulkan0",
  name: "Vulkan0",
  type: "gpu",
  free: freeMiB * MiB,
  total: freeMiB * MiB,
  minimum: 0,
});

describe("Scheduler memory and eviction", () => {
  test("two models fit the budget; a third evicts the least recently used", async () => {
    const { sched, spawner } = testScheduler({ systemFree: 1200 * MiB });
    (await sched.acquire(req("/m/a"))).release();
    (await sched.acquire(req("/m/b"))).release();
    expect(sched.loaded().length).toBe(2);
    (await sched.acquire(req("/m/a"))).release(); // b is now the least recently used
    (await sched.acquire(req("/m/c"))).release();
    expect(spawner.for("/m/b")[0]?.closed).toBe(true);
    expect(spawner.for("/m/a")[0]?.closed).toBe(false);
    expect(
      sched
        .loaded()
        .map((r) => r.model)
        .sort(),
    ).toEqual(["/m/a", "/m/c"]);
  });

  test("busy runners are never evicted: the load waits for a release", async () => {
    const { sched, spawner } = testScheduler({ systemFree: 700 * MiB });
    const a = await sched.acquire(req("/m/a"));
    const b = sched.acquire(req("/m/b"));
    expect(await promiseState(b)).toBe("pending");
    expect(spawner.runners.length).toBe(1);
    a.release();
    expect((await b).model).toBe("/m/b");
    expect(spawner.for("/m/a")[0]?.closed).toBe(true);
  });

  test("maxLoadedModels evicts the LRU even when memory is plentiful", async () => {
    const { sched, spawner } = testScheduler({ maxLoadedModels: 2 });
    for (const m of ["/m/a", "/m/b", "/m/c"]) (await sched.acquire(req(m))).release();
    expect(spawner.for("/m/a")[0]?.closed).toBe(true);
    expect(sched.loaded().length).toBe(2);
  });

  test("maxLoadedModels 0 means 3 per GPU, or 3 without GPUs", async () => {
    const cpu = testScheduler();
    for (const m of ["/m/a", "/m/b", "/m/c", "/m/d"]) (await cpu.sched.acquire(req(m))).release();
    expect(cpu.sched.loaded().length).toBe(3);
    const gpus = [gpu(64 * 1024), { ...gpu(64 * 1024), id: "Vulkan1", name: "Vulkan1" }];
    const two = testScheduler({ gpus });
    for (const m of ["a", "b", "c", "d", "e", "f", "g"]) (await two.sched.acquire(req(`/m/${m}`))).release();
    expect(two.sched.loaded().length).toBe(6);
  });

  test("num_gpu comes from the plan when -1; an explicit value is kept", async () => {
    const { sched, spawner } = testScheduler({ gpus: [gpu(4096)] });
    (await sched.acquire(req("/m/a"))).release();
    expect(spawner.runners[0]?.spec.options.num_gpu).toBe(5); // 4 blocks + the output head
    (await sched.acquire(req("/m/b", { options: { ...testLoadOptions, num_gpu: 2 } }))).release();
    expect(spawner.runners[1]?.spec.options.num_gpu).toBe(2);
    const small = testScheduler({ gpus: [gpu(350)] });
    (await small.sched.acquire(req("/m/a"))).release();
    expect(small.spawner.runners[0]?.spec.options.num_gpu).toBe(2);
  });

  test("out of device memory at load: back off to fewer GPU layers, never retry a layout that failed", async () => {
    const oom = new Error(
      "ggml_vulkan: Device memory allocation of size 104857600 failed: ErrorOutOfDeviceMemory",
    );
    const started: number[] = [];
    const { sched } = testScheduler({
      gpus: [gpu(4096)],
      spawnRunner: (spec) => {
        started.push(spec.options.num_gpu);
        return new FakeRunner(spec, spec.options.num_gpu > 2 ? oom : "ok");
      },
    });
    (await sched.acquire(req("/m/a"))).release();
    expect(started).toEqual([5, 2]); // the plan said 5 layers; reality took 2
    expect(sched.loaded()[0]?.model).toBe("/m/a");
    await sched.unload("/m/a");
    (await sched.acquire(req("/m/a"))).release();
    expect(started).toEqual([5, 2, 2]); // the known-bad layout is not tried again
    // An explicit num_gpu is the user's choice: its failure is reported, not retried.
    await sched.unload("/m/a");
    await expect(sched.acquire(req("/m/a", { options: { ...testLoadOptions, num_gpu: 4 } }))).rejects.toThrow(
      /OutOfDeviceMemory/,
    );
  });

  test("the runner's fit (no_alloc) shrinks an optimistic plan before anything is allocated", async () => {
    // llama.cpp says each layer needs 200 MiB on the GPU (the plan assumed less) plus 50 MiB of compute.
    class FittingRunner extends FakeRunner {
      committed: LoadOptions | undefined;
      fits: number[] = [];
      async fit(o: LoadOptions): Promise<LoadResponse> {
        this.fits.push(o.num_gpu);
        const gpuMem = { device: "Vulkan0", weights: o.num_gpu * 200 * MiB, kv_cache: 0, compute: 50 * MiB };
        return { success: true, layers_offloaded: o.num_gpu, layers_total: 5, memory: [gpuMem] };
      }
      override waitUntilRunning(signal?: AbortSignal, options?: LoadOptions): Promise<void> {
        this.committed = options;
        return super.waitUntilRunning();
      }
    }
    let runner: FittingRunner | undefined;
    const { sched } = testScheduler({
      gpus: [gpu(350)],
      spawnRunner: (spec) => {
        runner = new FittingRunner(spec);
        return runner;
      },
    });
    (await sched.acquire(req("/m/a"))).release();
    expect(runner?.fits).toEqual([2, 1]); // the plan's 2 layers need 450 MiB > 350: one layer fits
    expect(runner?.committed?.num_gpu).toBe(1);
  });

  test("VRAM held by a loaded model is not offered twice: a second model evicts rather than spills", async () => {
    const { sched, spawner } = testScheduler({ gpus: [gpu(1024)] });
    (await sched.acquire(req("/m/a"))).release();
    (await sched.acquire(req("/m/b"))).release();
    expect(spawner.for("/m/a")[0]?.closed).toBe(true);
    expect(spawner.for("/m/b")[0]?.spec.options.num_gpu).toBe(5);
  });

  test("/api/ps rows: sizes, VRAM share, digest, context, library, details", async () => {
    const blob = `/models/blobs/sha256-${"ab".repeat(32)}`;
    const facts = { [blob]: syntheticFacts({ nLayer: 4, fileType: 15, parameterCount: 494_030_000 }) };
    const { sched, clock } = testScheduler({ gpus: [gpu(350)], variant: "vulkan", facts });
    const lease = await sched.acquire(req(blob, { name: "qwen:0.5b" }));
    const [row] = sched.loaded();
    expect(row?.name).toBe("qwen:0.5b");
    expect(row?.model).toBe(blob);
    expect(row?.digest).toBe("ab".repeat(32));
    expect(row?.context_length).toBe(1024);
    expect(row?.library).toBe("vulkan");
    expect(row?.size_vram).toBeGreaterThan(0);
    expect(row?.size).toBeGreaterThan(row?.size_vram ?? 0);
    expect(row?.expires_at?.getTime()).toBe(clock.now() + 5 * 60_000);
    expect(row?.details).toEqual({
      format: "gguf",
      family: "llama",
      families: ["llama"],
      parameter_size: "494.03M",
      quantization_level: "Q4_K_M",
    });
    lease.release();
  });

  test("measured runner memory wins over the plan; rows sort by expiry, forever first", async () => {
    const { sched, spawner } = testScheduler({ gpus: [gpu(4096)] });
    spawner.memory = [
      { device: "Vulkan0", weights: 100, kv_cache: 20, compute: 5 },
      { device: "CPU", weights: 10, kv_cache: 0, compute: 1 },
    ];
    (await sched.acquire(req("/m/a", { keepAliveMs: 60_000 }))).release();
    (await sched.acquire(req("/m/b", { keepAliveMs: -1 }))).release();
    (await sched.acquire(req("/m/c", { keepAliveMs: 120_000 }))).release();
    await settle();
    const rows = sched.loaded();
    expect(rows.map((r) => r.model)).toEqual(["/m/b", "/m/c", "/m/a"]);
    expect(rows[0]?.size).toBe(136);
    expect(rows[0]?.size_vram).toBe(125);
  });
});

describe("Scheduler fairness", () => {
  test("a model waiting for memory is not starved by new requests for a busy one", async () => {
    const { sched, spawner } = testScheduler({ systemFree: 700 * MiB, numParallel: 2 });
    const a1 = await sched.acquire(req("/m/a"));
    const b = sched.acquire(req("/m/b"));
    await settle();
    const a2 = sched.acquire(req("/m/a")); // a has a free slot, but b waits for a to drain
    expect(await promiseState(a2)).toBe("pending");
    a1.release();
    const lb = await b;
    expect(spawner.for("/m/a")[0]?.closed).toBe(true);
    expect(await promiseState(a2)).toBe("pending");
    lb.release();
    expect((await a2).runner).toBe(spawner.for("/m/a")[1] as never);
  });

  test("requests queued before the waiting load are still served by the draining runner", async () => {
    const { sched } = testScheduler({ systemFree: 700 * MiB, numParallel: 1 });
    const a1 = await sched.acquire(req("/m/a"));
    const a2 = sched.acquire(req("/m/a"));
    const b = sched.acquire(req("/m/b"));
    await settle();
    a1.release();
    const l2 = await a2;
    expect(await promiseState(b)).toBe("pending");
    l2.release();
    expect((await b).model).toBe("/m/b");
  });
});
