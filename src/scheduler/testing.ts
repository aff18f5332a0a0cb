/** Test doubles for the scheduler: a fake runner process and a spawner that records what it started. */
import type { DeviceMemory, EmbeddingResponse, Health } from "../runner/protocol.ts";
import type { CompletionChunk, Runner, RunnerSpec } from "../runner/types.ts";
import { TsllmError } from "../errors.ts";
import { FakeClock } from "./clock.ts";
import type { ModelFacts } from "./layout/facts.ts";
import { syntheticFacts } from "./layout/synthetic.ts";
import { Scheduler } from "./scheduler.ts";
import type { AcquireRequest, Device, RequestedLoadOptions, SchedulerOptions } from "./types.ts";

/** How a fake runner's load ends: "ok" at once, an error at once, or "manual" (call finishLoad/failLoad). */
export type FakeLoad = "ok" | "manual" | Error;

let nextPid = 1000;

/** A Runner without a process: loads on command, crashes on command, records close(). */
export class FakeRunner implements Runner {
  readonly pid = nextPid++;
  closed = false;
  private exited = false;
  private loaded: Promise<void>;
  private settle!: { resolve: () => void; reject: (err: unknown) => void };

  constructor(
    readonly spec: RunnerSpec,
    load: FakeLoad = "ok",
    private readonly mem: DeviceMemory[] = [],
  ) {
    this.loaded = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.loaded.catch(() => {});
    if (load === "ok") this.finishLoad();
    else if (load instanceof Error) this.failLoad(load);
  }

  /** Completes a "manual" load. */
  finishLoad(): void {
    this.settle.resolve();
  }

  /** Fails the load, as a runner that exits during load does. */
  failLoad(err: unknown): void {
    this.exited = true;
    this.settle.reject(err);
  }

  /** Simulates the process dying. */
  crash(): void {
    this.exited = true;
  }

  waitUntilRunning(): Promise<void> {
    return this.loaded;
  }

  async *completion(): AsyncIterable<CompletionChunk> {
    yield { done: true, done_reason: "stop", content: "", timings: zeroTimings };
  }

  async embedding(): Promise<EmbeddingResponse> {
    return { embeddings: [], prompt_n: 0 };
  }

  async tokenize(): Promise<number[]> {
    return [];
  }

  async detokenize(): Promise<string> {
    return "";
  }

  async health(): Promise<Health> {
    return { status: "ready", progress: 1, slots_idle: 1, slots_processing: 0 };
  }

  memory(): DeviceMemory[] {
    return this.mem;
  }

  hasExited(): boolean {
    return this.exited;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.exited = true;
    this.settle.reject(new TsllmError("runner closed while loading", { code: "runner_closed" }));
  }
}

const zeroTimings = { prompt_n: 0, prompt_ms: 0, predicted_n: 0, predicted_ms: 0, cache_n: 0 };

/** Records every runner it starts; `next` sets how the next runners' loads end. */
export class FakeSpawner {
  readonly runners: FakeRunner[] = [];
  /** Load outcome for runners started from now on. */
  next: FakeLoad = "ok";
  /** Memory the runners report (empty = the scheduler uses its plan). */
  memory: DeviceMemory[] = [];

  /** The spawnRunner dependency. */
  readonly spawn = (spec: RunnerSpec): FakeRunner => {
    const r = new FakeRunner(spec, this.next, this.memory);
    this.runners.push(r);
    return r;
  };

  /** Runners started for a model path. */
  for(model: string): FakeRunner[] {
    return this.runners.filter((r) => r.spec.model === model);
  }

  /** The runners not closed yet. */
  get live(): FakeRunner[] {
    return this.runners.filter((r) => !r.closed);
  }
}

/** Load options a test request uses unless it overrides them. */
export const testLoadOptions: RequestedLoadOptions = {
  num_ctx: 1024,
  num_batch: 512,
  num_gpu: -1,
  main_gpu: 0,
  use_mmap: true,
  use_mlock: false,
  num_thread: 0,
  flash_attention: false,
  kv_cache_type: "f16",
  embedding: false,
};

/** A request for `model` (name = path) with test options. */
export function testRequest(model: string, over: Partial<AcquireRequest> = {}): AcquireRequest {
  return { model, name: model, options: testLoadOptions, ...over };
}

/** A scheduler on fakes: host RAM `systemFree` (default 64 GiB), optional GPUs, per-path model facts. */
export function testScheduler(
  over: Partial<SchedulerOptions> & {
    systemFree?: number;
    gpus?: Device[];
    facts?: Record<string, ModelFacts>;
  } = {},
) {
  const { systemFree = 64 * 1024 ** 3, gpus = [], facts = {}, ...rest } = over;
  const clock = new FakeClock();
  const spawner = new FakeSpawner();
  const devices: Device[] = [
    { id: "cpu", name: "CPU", type: "cpu", free: systemFree, total: systemFree },
    ...gpus,
  ];
  const sched = new Scheduler({
    spawnRunner: spawner.spawn,
    devices: async () => devices,
    clock,
    describeModel: async (path) => facts[path] ?? syntheticFacts({ nLayer: 4 }),
    maxQueue: 8,
    maxLoadedModels: 0,
    numParallel: 1,
    defaultKeepAliveMs: 5 * 60_000,
    ...rest,
  });
  return { sched, clock, spawner, devices };
}

/** Lets every pending promise chain run (one macrotask turn); no timers involved. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** "pending", "resolved" or "rejected", after letting pending work run. */
export async function promiseState(p: Promise<unknown>): Promise<"pending" | "resolved" | "rejected"> {
  let state: "pending" | "resolved" | "rejected" = "pending";
  p.then(
    () => {
      state = "resolved";
    },
    () => {
      state = "rejected";
    },
  );
  await settle();
  return state;
}
