import { describe, expect, test } from "bun:test";
import { FakeClock } from "./clock.ts";
import { expiresAt, KeepAliveTimers } from "./keep-alive.ts";
import { settle, testRequest as req, testScheduler } from "./testing.ts";

const MIN = 60_000;

describe("FakeClock and KeepAliveTimers", () => {
  test("timers fire in deadline order; re-arming replaces", () => {
    const clock = new FakeClock(0);
    const timers = new KeepAliveTimers<string>(clock);
    const fired: string[] = [];
    timers.arm("a", 300, () => fired.push("a"));
    timers.arm("b", 100, () => fired.push("b"));
    timers.arm("a", 200, () => fired.push("a2"));
    expect(timers.deadline("a")).toBe(200);
    clock.advance(150);
    expect(fired).toEqual(["b"]);
    clock.advance(1000);
    expect(fired).toEqual(["b", "a2"]);
    expect(clock.pending).toBe(0);
  });

  test("expiresAt: deadline when idle, now + keep-alive when busy, null for forever", () => {
    expect(expiresAt(-1, undefined, 5)).toBeNull();
    expect(expiresAt(1000, 9000, 5)?.getTime()).toBe(9000);
    expect(expiresAt(1000, undefined, 5)?.getTime()).toBe(1005);
  });
});

describe("Scheduler keep_alive", () => {
  test("the default keep-alive unloads an idle runner when it runs out", async () => {
    const { sched, spawner, clock } = testScheduler();
    const t0 = clock.now();
    (await sched.acquire(req("/m/a"))).release();
    expect(sched.loaded()[0]?.expires_at?.getTime()).toBe(t0 + 5 * MIN);
    clock.advance(5 * MIN - 1);
    expect(spawner.runners[0]?.closed).toBe(false);
    clock.advance(1);
    await settle();
    expect(spawner.runners[0]?.closed).toBe(true);
    expect(sched.loaded()).toEqual([]);
  });

  test("a busy runner never expires; its timer starts at the last release", async () => {
    const { sched, spawner, clock } = testScheduler();
    const a = await sched.acquire(req("/m/a", { keepAliveMs: MIN }));
    clock.advance(10 * MIN);
    expect(spawner.runners[0]?.closed).toBe(false);
    expect(sched.loaded()[0]?.expires_at?.getTime()).toBe(clock.now() + MIN);
    a.release();
    clock.advance(MIN);
    await settle();
    expect(spawner.runners[0]?.closed).toBe(true);
  });

  test("keep_alive 0 unloads right after the last lease", async () => {
    const { sched, spawner } = testScheduler({ numParallel: 2 });
    const a = await sched.acquire(req("/m/a", { keepAliveMs: 0 }));
    const b = await sched.acquire(req("/m/a", { keepAliveMs: 0 }));
    a.release();
    await settle();
    expect(spawner.runners[0]?.closed).toBe(false);
    b.release();
    await settle();
    expect(spawner.runners[0]?.closed).toBe(true);
  });

  test("negative keep_alive keeps the model loaded forever", async () => {
    const { sched, spawner, clock } = testScheduler();
    (await sched.acquire(req("/m/a", { keepAliveMs: -1 }))).release();
    clock.advance(365 * 24 * 60 * MIN);
    expect(clock.pending).toBe(0);
    expect(spawner.runners[0]?.closed).toBe(false);
    expect(sched.loaded()[0]?.expires_at).toBeNull();
  });

  test("a later request's keep_alive replaces the earlier one", async () => {
    const { sched, spawner, clock } = testScheduler();
    (await sched.acquire(req("/m/a", { keepAliveMs: 10 * MIN }))).release();
    (await sched.acquire(req("/m/a", { keepAliveMs: MIN }))).release();
    clock.advance(MIN);
    await settle();
    expect(spawner.runners.length).toBe(1);
    expect(spawner.runners[0]?.closed).toBe(true);
  });

  test("a new request revives a runner whose keep-alive was about to run out", async () => {
    const { sched, spawner, clock } = testScheduler();
    (await sched.acquire(req("/m/a", { keepAliveMs: MIN }))).release();
    clock.advance(MIN - 1);
    const b = await sched.acquire(req("/m/a", { keepAliveMs: MIN }));
    clock.advance(MIN);
    expect(spawner.runners[0]?.closed).toBe(false);
    b.release();
    expect(spawner.runners.length).toBe(1);
  });

  test("unload(name): idle now, busy after its last lease; unknown names report false", async () => {
    const { sched, spawner } = testScheduler();
    (await sched.acquire(req("/m/a", { name: "a:latest" }))).release();
    expect(await sched.unload("a:latest")).toBe(true);
    expect(spawner.runners[0]?.closed).toBe(true);
    const b = await sched.acquire(req("/m/b"));
    expect(await sched.unload("/m/b")).toBe(true);
    expect(spawner.runners[1]?.closed).toBe(false);
    b.release();
    await settle();
    expect(spawner.runners[1]?.closed).toBe(true);
    expect(await sched.unload("nope")).toBe(false);
  });
});
