import { expect, test } from "bun:test";
import { isBareNumber, parseDurationMs, parseGoDurationNs } from "./duration.ts";

test("Go durations in nanoseconds; bare numbers are seconds only for parseDurationMs", () => {
  expect(parseGoDurationNs("1h30m")).toBe(5.4e12);
  expect(parseGoDurationNs("-1.5s")).toBe(-1.5e9);
  expect(parseGoDurationNs("250ms")).toBe(2.5e8);
  expect(parseGoDurationNs("0")).toBe(0);
  expect(parseGoDurationNs("30")).toBeNull();
  expect(parseGoDurationNs("soon")).toBeNull();
  expect(isBareNumber(" -1 ")).toBe(true);
  expect(parseDurationMs("30")).toBe(30_000);
  expect(parseDurationMs("5m")).toBe(300_000);
  expect(parseDurationMs("")).toBeNull();
});
