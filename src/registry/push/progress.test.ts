import { expect, test } from "bun:test";
import type { Progress } from "../types.ts";
import { BlobProgress, TICK_MS } from "./progress.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;

test("lines are throttled to one per tick; the first and the final one always go out", () => {
  const lines: Progress[] = [];
  let now = 1000;
  const p = new BlobProgress(
    DIGEST,
    100,
    (x) => lines.push(x),
    () => now,
  );
  p.set(0);
  p.set(10);
  now += TICK_MS;
  p.set(50);
  p.set(60);
  p.done();
  p.done();
  expect(lines.map((l) => l.completed)).toEqual([0, 50, 100]);
  expect(lines[0]).toEqual({ status: `pushing ${"ab".repeat(6)}`, digest: DIGEST, total: 100, completed: 0 });
});
