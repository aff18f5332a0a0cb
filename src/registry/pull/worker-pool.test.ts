import { describe, expect, test } from "bun:test";
import { WorkerPool } from "./worker-pool.ts";

/** A worker that answers every message with "pong". */
const echo = URL.createObjectURL(new Blob(["self.onmessage = () => self.postMessage('pong');"]));

/** A pool over echo workers that counts how many it started. */
function countingPool(idleMs?: number, maxIdle?: number) {
  const started: Worker[] = [];
  const pool = new WorkerPool(
    () => {
      const w = new Worker(echo);
      started.push(w);
      return w;
    },
    idleMs,
    maxIdle,
  );
  return { pool, started };
}

const ping = (w: Worker) =>
  new Promise<unknown>((resolve) => {
    w.onmessage = (ev) => resolve(ev.data);
    w.postMessage("ping");
  });

const closed = (w: Worker) => new Promise<void>((resolve) => w.addEventListener("close", () => resolve()));

describe("WorkerPool", () => {
  test("a worker given back is the next one taken, with its handlers cleared", async () => {
    const { pool, started } = countingPool();
    const w = pool.take();
    expect(await ping(w)).toBe("pong");
    pool.give(w);
    expect(w.onmessage).toBeNull();
    expect(pool.idle).toBe(1);
    const again = pool.take();
    expect(again).toBe(w);
    expect(await ping(again)).toBe("pong");
    expect(started).toHaveLength(1);
    pool.clear();
    again.terminate();
  });

  test("prewarm starts one worker only when none is idle", () => {
    const { pool, started } = countingPool();
    pool.prewarm();
    pool.prewarm();
    expect(started).toHaveLength(1);
    expect(pool.idle).toBe(1);
    pool.clear();
  });

  test("no more than maxIdle are kept; the rest are ended", async () => {
    const { pool } = countingPool(60_000, 1);
    const [a, b] = [pool.take(), pool.take()];
    const bEnded = closed(b);
    pool.give(a);
    pool.give(b);
    await bEnded;
    expect(pool.idle).toBe(1);
    pool.clear();
  });

  test("an idle worker is ended after idleMs", async () => {
    const { pool } = countingPool(30);
    const w = pool.take();
    const ended = closed(w);
    pool.give(w);
    await ended;
    expect(pool.idle).toBe(0);
  });

  test("a worker that exited while idle is never handed out", async () => {
    const { pool, started } = countingPool();
    const w = pool.take();
    pool.give(w);
    const ended = closed(w);
    w.terminate();
    await ended;
    expect(pool.idle).toBe(0);
    const next = pool.take();
    expect(next).not.toBe(w);
    expect(await ping(next)).toBe("pong");
    expect(started).toHaveLength(2);
    next.terminate();
  });

  test("a worker that cannot start is reported by take, not by prewarm", () => {
    const pool = new WorkerPool(() => {
      throw new Error("no worker");
    });
    expect(() => pool.prewarm()).not.toThrow();
    expect(() => pool.take()).toThrow("no worker");
  });
});
