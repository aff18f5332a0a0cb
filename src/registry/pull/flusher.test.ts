import { describe, expect, test } from "bun:test";
import type { FileHandle } from "node:fs/promises";
import { Flusher } from "./flusher.ts";

/** A FileHandle whose datasync calls are counted and finish when the test says so. */
function fakeHandle(fail = false) {
  const pending: (() => void)[] = [];
  let calls = 0;
  const fh = {
    datasync: () => {
      calls++;
      return new Promise<void>((resolve, reject) =>
        pending.push(fail ? () => reject(new Error("EIO")) : resolve),
      );
    },
  } as unknown as FileHandle;
  return { fh, calls: () => calls, finish: () => pending.shift()?.() };
}

describe("Flusher", () => {
  test("flushes once per `every` bytes written, one flush at a time", async () => {
    const h = fakeHandle();
    const f = new Flusher(h.fh, 100);
    f.note(60);
    expect(h.calls()).toBe(0);
    f.note(60);
    expect(h.calls()).toBe(1);
    // In flight: more bytes start no second flush.
    f.note(500);
    expect(h.calls()).toBe(1);
    h.finish();
    await f.settle();
    f.note(1);
    expect(h.calls()).toBe(2);
    h.finish();
    await f.settle();
  });

  test("settle waits for the flush under way; a failed flush is left to the final sync", async () => {
    const h = fakeHandle(true);
    const f = new Flusher(h.fh, 10);
    f.note(10);
    let settled = false;
    const s = f.settle().then(() => {
      settled = true;
    });
    await Bun.sleep(5);
    expect(settled).toBe(false);
    h.finish();
    await s;
    expect(settled).toBe(true);
  });

  test("finish flushes everything after the flush under way; settle waits for it; its failure is swallowed", async () => {
    const h = fakeHandle(true);
    const f = new Flusher(h.fh, 10);
    f.note(10);
    expect(h.calls()).toBe(1);
    let done = false;
    const last = f.finish().then(() => {
      done = true;
    });
    await Bun.sleep(5);
    // The final flush starts only once the one under way ended.
    expect(h.calls()).toBe(1);
    h.finish();
    await Bun.sleep(5);
    expect(h.calls()).toBe(2);
    expect(done).toBe(false);
    let settled = false;
    const s = f.settle().then(() => {
      settled = true;
    });
    h.finish();
    await last;
    await s;
    expect(done).toBe(true);
    expect(settled).toBe(true);
  });
});
