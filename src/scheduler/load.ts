/**
 * The load procedure for one queued request: drain a runner with other options, respect the model limit,
 * plan the layout against what is free, evict idle runners (LRU) until it fits, then spawn and wait.
 */
import { basename } from "node:path";
import type { RunnerSpec } from "../runner/types.ts";
import type { ModelFacts } from "./layout/facts.ts";
import { fitLayers } from "./fit.ts";
import { planLayout } from "./layout/plan.ts";
import { withProjector } from "./projector.ts";
import { withDraft } from "./draft.ts";
import { freeMemory } from "./memory.ts";
import { LoadedModel, type ModelTable } from "./model-table.ts";
import { rpcEndpointsOf } from "./rpc.ts";
import { pinDevices, spreadsLayers } from "./rpc-pin.ts";
import { blamingRpcServers } from "./rpc-runner.ts";
import type { PendingRequest } from "./queue.ts";
import type { SchedulerOptions } from "./types.ts";

/** What the load procedure needs from the scheduler. */
export interface LoadHost {
  readonly table: ModelTable;
  readonly opts: SchedulerOptions;
  facts(path: string): Promise<ModelFacts>;
  /** False once the request left the queue (aborted, rejected) or the scheduler closed. */
  wanted(p: PendingRequest): boolean;
  /** The ready runner that can serve p, if any. */
  usable(p: PendingRequest): LoadedModel | undefined;
  /** Current event version (see Scheduler). */
  version(): number;
  /** A runner finished loading for p: grant it to p, or let it idle when p went away. */
  ready(entry: LoadedModel, p: PendingRequest): void;
  /** Next logical use time. */
  tick(): number;
}

/**
 * Loads p's model. Returns null when done or moot, or the event version at which it had to wait for busy
 * runners (the next release or unload retries). Throws the layout's or the runner's error when loading
 * cannot succeed even with nothing else loaded.
 */
export async function loadFor(host: LoadHost, p: PendingRequest): Promise<number | null> {
  const { table, opts } = host;
  for (;;) {
    await table.settle();
    if (!host.wanted(p)) return null;
    if (host.usable(p)) return null; // also drops a runner whose process died
    const existing = table.get(p.model);
    if (existing) {
      if (existing.inFlight > 0 || existing.state === "loading") {
        existing.drainFor = p;
        return host.version();
      }
      table.unload(existing, "load options changed");
      continue;
    }
    // A pinned model plans on its pinned RPC servers only (refused when one is not configured).
    const devices = pinDevices(await opts.devices(), p.options.rpc_servers);
    // A vision projector loads with the model: its weights are planned with it.
    const facts = withDraft(
      withProjector(await host.facts(p.model), p.options.projector),
      p.options.draft_model,
    );
    if (!host.wanted(p)) return null;
    if (table.settling) continue; // something unloaded meanwhile: measure again once it is gone

    const free = freeMemory(devices, table.all());
    const limit = opts.maxLoadedModels > 0 ? opts.maxLoadedModels : 3 * Math.max(1, free.gpus.length);
    if (table.size >= limit) {
      if (table.evictLru("max loaded models reached")) continue;
      table.drainFor(p, host.wanted);
      return host.version();
    }
    const plan = planLayout({
      facts,
      numCtx: p.options.num_ctx,
      numBatch: p.options.num_batch,
      kvType: p.options.kv_cache_type,
      numParallel: p.options.num_parallel,
      gpus: free.gpus,
      systemFree: free.systemFree,
      swapFree: free.swapFree,
      requestedLayers: p.options.num_gpu,
      // With others loaded, prefer evicting them over a partial or swapping load.
      requireFull: table.size > 0,
      spread: spreadsLayers(p.options.rpc_servers),
    });
    if (plan.error) {
      if (table.size === 0) throw plan.error;
      if (table.evictLru("memory needed")) continue;
      table.drainFor(p, host.wanted);
      return host.version();
    }

    const auto = p.options.num_gpu < 0;
    let numGpu = auto
      ? Math.min(plan.offloaded, table.layerCeiling.get(p.model) ?? plan.offloaded)
      : p.options.num_gpu;
    let entry: LoadedModel;
    const loadStart = performance.now(); // retries with fewer layers count as one load
    // Back-off: when the runner runs out of device memory (the estimate was optimistic), retry with half the
    // GPU layers, and never again try a layer count that failed for this model.
    for (;;) {
      // RPC servers the plan puts layers on: the runner registers them before loading (none: unchanged).
      const rpc = numGpu !== 0 ? rpcEndpointsOf(plan.gpus) : [];
      // (p.options.rpc_servers is the model's pin, the servers it may use: not what this runner registers.)
      const { rpc_servers: _pin, ...rest } = p.options;
      const options = { ...rest, num_gpu: numGpu, ...(rpc.length > 0 ? { rpc_servers: rpc } : {}) };
      const spec: RunnerSpec = {
        model: p.model,
        options,
        ...(opts.variant ? { variant: opts.variant } : {}),
      };
      const runner = blamingRpcServers(opts.spawnRunner(spec), rpc);
      entry = new LoadedModel(p.model, p.name, p.options, runner, plan, facts, p.keepAliveMs);
      entry.lastUsed = host.tick();
      table.set(entry);
      opts.logger?.info("loading model", {
        model: basename(p.model),
        num_gpu: numGpu,
        layers: plan.totalLayers,
      });
      try {
        if (auto) numGpu = await fitLayers(runner, options, numGpu, free, opts.logger);
        await runner.waitUntilRunning(undefined, { ...options, num_gpu: numGpu });
        break;
      } catch (err) {
        table.unload(entry, "load failed");
        if (!(auto && numGpu > 0 && isOutOfMemory(err))) throw err;
        const next = Math.floor(numGpu / 2);
        table.layerCeiling.set(p.model, next);
        opts.logger?.warn("model did not fit the GPU, retrying with fewer layers", {
          model: p.model,
          from: numGpu,
          to: next,
        });
        numGpu = next;
        await table.settle();
        if (!host.wanted(p)) return null;
      }
    }
    if (!table.holds(entry)) return null; // unloaded or shut down while loading
    entry.state = "ready";
    entry.readyAt = performance.now();
    entry.loadMs = entry.readyAt - loadStart;
    opts.events?.loaded(p.name, entry.loadMs);
    host.ready(entry, p);
    return null;
  }
}

/** True for a load that failed because a device ran out of memory (libllama's and the backends' wording). */
export function isOutOfMemory(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /out of (device )?memory|OutOfDeviceMemory|failed to allocate|unable to allocate|cudaMalloc failed/i.test(
    msg,
  );
}
