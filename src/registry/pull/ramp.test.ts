import { expect, test } from "bun:test";
import { MAX_RUN_BYTES, Ramp, RUN_SECONDS } from "./ramp.ts";

test("two slow windows in a row are slow; a fast one resets; each look starts a new window", () => {
  let now = 0;
  const ramp = new Ramp(100e6, () => now);
  const look = (ms: number, bytes: number) => {
    now += ms;
    ramp.note(bytes);
    return ramp.slow();
  };
  expect(look(500, 10e6)).toBe(false);
  expect(look(500, 10e6)).toBe(true);
  expect(look(500, 10e6)).toBe(true);
  expect(look(500, 50e6)).toBe(false);
  // The 50 MB of the previous window do not count again.
  expect(look(500, 0)).toBe(false);
  expect(look(500, 0)).toBe(true);
});

test("nothing moved (a stall, a retry's back-off) is slow", () => {
  let now = 0;
  const ramp = new Ramp(1, () => now);
  now = 10_000;
  expect(ramp.slow()).toBe(false);
  now = 20_000;
  expect(ramp.slow()).toBe(true);
});

test("a lone request's run: nothing beyond one part on a slow link, RUN_SECONDS of bytes on a fast one", () => {
  let now = 0;
  const ramp = new Ramp(100e6, () => now);
  // Too short a window to judge: no run yet, however fast.
  now = 100;
  ramp.note(50e6);
  expect(ramp.runBytes()).toBe(0);
  now = 400;
  ramp.note(10e6);
  // 60 MB in 400 ms: 150 MB/s.
  expect(ramp.runBytes()).toBeCloseTo(150e6 * RUN_SECONDS);
  ramp.note(1e9);
  expect(ramp.runBytes()).toBe(MAX_RUN_BYTES);
  now = 1000;
  ramp.slow();
  now = 1500;
  ramp.note(1e6);
  ramp.slow();
  // The last window was slow and the new one is too young to judge: one part again.
  now = 1600;
  expect(ramp.runBytes()).toBe(0);
});
