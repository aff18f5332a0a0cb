import { describe, expect, test } from "bun:test";
import { TsllmError } from "../errors.ts";
import { QUEUE_FULL_MESSAGE, QueueFullError, RequestCancelledError, SchedulerClosedError } from "./errors.ts";
import { InsufficientMemoryError } from "./layout/errors.ts";
import { syntheticFacts } from "./layout/synthetic.ts";
import { promiseState, settle, testLoadOptions, testRequest as req, testScheduler } from "./testing.ts";

describe("Scheduler: sharing and limits", () => {
  test("requests for one model share one runner", async () => {
    const { sched, spawner } = testScheduler({ numParallel: 2 });
    const a = await sched.acquire(req("/m/a"));
    const b = await sched.acquire(req("/m/a"));
    expect(spawner.runners.length).toBe(1);
    expect(b.runner).toBe(a.runner);
    expect(sched.stats()).toEqual({ queued: 0, loading: 0, loaded: 1, inFlight: 2 });
  });

  test("numParallel caps leases per runner; the next waits for a release", async () => {
    const { sched, spawner } = testScheduler({ numParallel: 2 });
    const a = await sched.acquire(req("/m/a"));
    await sched.acquire(req("/m/a"));
    const c = sched.acquire(req("/m/a"));
    expect(await promiseState(c)).toBe("pending");
    expect(sched.stats().queued).toBe(1);
    a.release();
    a.release(); // a second release is ignored
    expect((await c).runner).toBe(a.runner);
    expect(sched.stats().inFlight).toBe(2);
    expect(spawner.runners[0]?.spec.options.num_parallel).toBe(2);
  });

  test("a full queue answers 503 with Ollama's text", async () => {
    const { sched } = testScheduler({ maxQueue: 1 });
    await sched.acquire(req("/m/a"));
    const waiting = sched.acquire(req("/m/a"));
    const err = await sched.acquire(req("/m/a")).catch((e) => e);
    expect(err).toBeInstanceOf(QueueFullError);
    expect(err.status).toBe(503);
    expect(err.message).toBe(QUEUE_FULL_MESSAGE);
    expect(QUEUE_FULL_MESSAGE).toBe("server busy, please try again.  maximum pending requests exceeded");
    expect(await promiseState(waiting)).toBe("pending");
  });

  test("a busy model does not hold up requests for another model", async () => {
    const { sched } = testScheduler();
    await sched.acquire(req("/m/a"));
    const a2 = sched.acquire(req("/m/a"));
    const b = await sched.acquire(req("/m/b"));
    expect(b.model).toBe("/m/b");
    expect(await promiseState(a2)).toBe("pending");
  });
});

describe("Scheduler: cancellation and failures", () => {
  test("aborting while queued removes the request with a cancellation error", async () => {
    const { sched, spawner } = testScheduler();
    const a = await sched.acquire(req("/m/a"));
    const ctl = new AbortController();
    const p = sched.acquire(req("/m/a", { signal: ctl.signal }));
    await settle();
    expect(sched.stats().queued).toBe(1);
    ctl.abort();
    const err = await p.catch((e) => e);
    expect(err).toBeInstanceOf(RequestCancelledError);
    expect(sched.stats().queued).toBe(0);
    a.release();
    await sched.acquire(req("/m/a"));
    expect(spawner.runners.length).toBe(1);
    expect(sched.stats().inFlight).toBe(1);
  });

  test("an already aborted signal is refused at once", async () => {
    const { sched, spawner } = testScheduler();
    const err = await sched.acquire(req("/m/a", { signal: AbortSignal.abort() })).catch((e) => e);
    expect(err).toBeInstanceOf(RequestCancelledError);
    expect(spawner.runners.length).toBe(0);
  });

  test("aborting during the load lets the load finish and idle", async () => {
    const { sched, spawner, clock } = testScheduler();
    spawner.next = "manual";
    const ctl = new AbortController();
    const p = sched.acquire(req("/m/a", { signal: ctl.signal }));
    await settle();
    expect(sched.stats().loading).toBe(1);
    ctl.abort();
    expect(await p.catch((e) => e)).toBeInstanceOf(RequestCancelledError);
    spawner.runners[0]?.finishLoad();
    await settle();
    expect(sched.loaded().length).toBe(1);
    expect(clock.pending).toBe(1); // keep-alive armed
  });

  test("a load failure rejects that request only", async () => {
    const { sched, spawner } = testScheduler();
    const boom = new TsllmError("llama runner process has terminated: GGML_ASSERT", {
      code: "runner_exited",
    });
    spawner.next = boom;
    expect(await sched.acquire(req("/m/a")).catch((e) => e)).toBe(boom);
    expect(spawner.runners[0]?.closed).toBe(true);
    spawner.next = "ok";
    const lease = await sched.acquire(req("/m/a"));
    expect(lease.runner).toBe(spawner.runners[1] as never);
  });

  test("a model too big for the machine is refused, and does not block others", async () => {
    const big = syntheticFacts({ nLayer: 4, blockBytes: 4 * 1024 ** 3 });
    const { sched } = testScheduler({ systemFree: 2 * 1024 ** 3, facts: { "/m/big": big } });
    expect(await sched.acquire(req("/m/big")).catch((e) => e)).toBeInstanceOf(InsufficientMemoryError);
    expect((await sched.acquire(req("/m/small"))).model).toBe("/m/small");
  });

  test("a crashed runner is replaced by the next request", async () => {
    const { sched, spawner } = testScheduler();
    (await sched.acquire(req("/m/a"))).release();
    spawner.runners[0]?.crash();
    const b = await sched.acquire(req("/m/a"));
    expect(spawner.runners.length).toBe(2);
    expect(b.runner).toBe(spawner.runners[1] as never);
    expect(spawner.runners[0]?.closed).toBe(true);
  });

  test("a runner that dies while leased is dropped at release", async () => {
    const { sched, spawner, clock } = testScheduler();
    const a = await sched.acquire(req("/m/a"));
    spawner.runners[0]?.crash();
    a.release();
    expect(clock.pending).toBe(0);
    expect(sched.loaded()).toEqual([]);
  });

  test("shutdown rejects waiting requests and closes every runner", async () => {
    const { sched, spawner } = testScheduler();
    await sched.acquire(req("/m/a"));
    const waiting = sched.acquire(req("/m/a"));
    await settle();
    await sched.shutdown();
    expect(await waiting.catch((e) => e)).toBeInstanceOf(SchedulerClosedError);
    expect(spawner.live).toEqual([]);
    expect(await sched.acquire(req("/m/a")).catch((e) => e)).toBeInstanceOf(SchedulerClosedError);
  });
});

describe("Scheduler: load options", () => {
  test("different load options reload the model once it is idle", async () => {
    const { sched, spawner } = testScheduler();
    const a = await sched.acquire(req("/m/a"));
    const b = sched.acquire(req("/m/a", { options: { ...testLoadOptions, num_ctx: 2048 } }));
    expect(await promiseState(b)).toBe("pending");
    expect(spawner.runners.length).toBe(1);
    a.release();
    const lease = await b;
    expect(spawner.runners[0]?.closed).toBe(true);
    expect(lease.runner.spec.options.num_ctx).toBe(2048);
    expect(lease.options.num_ctx).toBe(2048);
  });

  test("num_gpu -1 matches any loaded layer count; an explicit one must match", async () => {
    const { sched, spawner } = testScheduler();
    (await sched.acquire(req("/m/a", { options: { ...testLoadOptions, num_gpu: 0 } }))).release();
    (await sched.acquire(req("/m/a"))).release();
    expect(spawner.runners.length).toBe(1);
    (await sched.acquire(req("/m/a", { options: { ...testLoadOptions, num_gpu: 3 } }))).release();
    expect(spawner.runners.length).toBe(2);
    expect(spawner.runners[1]?.spec.options.num_gpu).toBe(3);
  });

  test("num_ctx is capped at the trained context before comparing", async () => {
    const facts = { "/m/a": syntheticFacts({ nLayer: 4, nCtxTrain: 4096 }) };
    const { sched, spawner } = testScheduler({ facts });
    (await sched.acquire(req("/m/a", { options: { ...testLoadOptions, num_ctx: 8192 } }))).release();
    (await sched.acquire(req("/m/a", { options: { ...testLoadOptions, num_ctx: 100000 } }))).release();
    expect(spawner.runners.length).toBe(1);
    expect(spawner.runners[0]?.spec.options.num_ctx).toBe(4096);
  });
});
