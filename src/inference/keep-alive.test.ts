import { describe, expect, test } from "bun:test";
import { InvalidDurationError } from "./errors.ts";
import { keepAliveMs, parseDuration } from "./keep-alive.ts";

describe("keep_alive", () => {
  test("Go durations, bare seconds and numbers", () => {
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("0")).toBe(0);
    expect(parseDuration("-1")).toBe(-1000);
    expect(keepAliveMs(600)).toBe(600_000);
    expect(keepAliveMs("10m")).toBe(600_000);
  });

  test("negative means forever, absent means the server default", () => {
    expect(keepAliveMs(-1)).toBe(-1);
    expect(keepAliveMs("-5m")).toBe(-1);
    expect(keepAliveMs(undefined)).toBeUndefined();
    expect(keepAliveMs(null)).toBeUndefined();
  });

  test("anything else is a 400 with Go's wording", () => {
    expect(() => keepAliveMs("soon")).toThrow(InvalidDurationError);
    expect(() => keepAliveMs("5 m")).toThrow('time: invalid duration "5 m"');
    expect(() => keepAliveMs(true)).toThrow(InvalidDurationError);
  });
});
