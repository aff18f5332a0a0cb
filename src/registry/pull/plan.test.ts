import { describe, expect, test } from "bun:test";
import { bytesDone, contiguousEnd, DEFAULT_PART_SIZES, planParts, takeRun } from "./plan.ts";

const MiB = 1 << 20;

describe("planParts", () => {
  test("tiles the blob exactly, in order, the last part taking the remainder", () => {
    for (const size of [1, 17, 16 * MiB, 16 * MiB + 1, 1000 * MiB + 3, 10_000 * MiB]) {
      const parts = planParts(size, 8);
      let next = 0;
      for (const p of parts) {
        expect(p.offset).toBe(next);
        expect(p.done).toBe(0);
        expect(p.size).toBeGreaterThan(0);
        next += p.size;
      }
      expect(next).toBe(size);
    }
  });

  test("about four parts per worker, within the size bounds", () => {
    expect(planParts(1024 * MiB, 8).length).toBe(32);
    expect(planParts(1024 * MiB, 8)[0]?.size).toBe(32 * MiB);
    // Small blobs: one minimum-size part; huge ones: maximum-size parts.
    expect(planParts(10 * MiB, 8)).toEqual([{ offset: 0, size: 10 * MiB, done: 0 }]);
    expect(planParts(100_000 * MiB, 8)[0]?.size).toBe(DEFAULT_PART_SIZES.max);
    expect(planParts(64 * MiB, 1, { min: MiB, max: 4 * MiB })).toHaveLength(16);
  });

  test("an empty blob has no parts", () => {
    expect(planParts(0, 8)).toEqual([]);
    expect(contiguousEnd([])).toBe(0);
  });
});

describe("progress over parts", () => {
  test("the contiguous prefix stops at the first part not yet full", () => {
    const parts = [
      { offset: 0, size: 10, done: 10 },
      { offset: 10, size: 10, done: 4 },
      { offset: 20, size: 10, done: 10 },
    ];
    expect(contiguousEnd(parts)).toBe(14);
    expect(bytesDone(parts)).toBe(24);
    (parts[1] as { done: number }).done = 10;
    expect(contiguousEnd(parts)).toBe(30);
  });
});

describe("takeRun", () => {
  const parts = () => [
    { offset: 0, size: 10, done: 4 },
    { offset: 10, size: 10, done: 0 },
    { offset: 20, size: 10, done: 0 },
    { offset: 30, size: 10, done: 3 },
    { offset: 40, size: 10, done: 0 },
  ];

  test("the head part, then untouched adjacent parts within the byte budget", () => {
    const queue = parts();
    expect(takeRun(queue, 0)?.map((p) => p.offset)).toEqual([0]);
    expect(takeRun(queue, 20)?.map((p) => p.offset)).toEqual([10, 20]);
    // A part already begun starts a run of its own: its saved bytes are never asked for again.
    expect(takeRun(queue, 1000)?.map((p) => p.offset)).toEqual([30, 40]);
    expect(takeRun(queue, 1000)).toBeUndefined();
  });

  test("a gap (a finished part left out of the queue) ends the run", () => {
    const queue = parts().filter((p) => p.offset !== 20);
    expect(takeRun(queue, 1000)?.map((p) => p.offset)).toEqual([0, 10]);
  });
});
