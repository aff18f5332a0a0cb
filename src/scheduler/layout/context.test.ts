import { expect, test } from "bun:test";
import { defaultContextLength } from "./context.ts";

const GiB = 1024 ** 3;

test.each([
  [0, 0, 0, 4096],
  [8 * GiB, 0, 0, 4096],
  [22.9 * GiB, 0, 0, 4096],
  [23 * GiB, 0, 0, 32768],
  [24 * GiB, 0, 0, 32768],
  [46.9 * GiB, 0, 0, 32768],
  [47 * GiB, 0, 0, 262144],
  [80 * GiB, 0, 131072, 131072],
  [24 * GiB, 0, 2048, 2048],
  [0, 16384, 0, 16384],
  [80 * GiB, 8192, 0, 8192],
  [0, 16384, 8192, 8192],
])("vram %d env %d train %d → %d", (totalVram, envContextLength, nCtxTrain, want) => {
  expect(defaultContextLength({ totalVram, envContextLength, nCtxTrain })).toBe(want);
});
