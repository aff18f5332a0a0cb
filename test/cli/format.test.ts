import { describe, expect, test } from "bun:test";
import { goDuration, humanBytes, humanTime, parseGoDuration } from "../../src/cli/duration.ts";
import { processorText } from "../../src/cli/ps.ts";
import { renderTable } from "../../src/cli/table.ts";

describe("human formats", () => {
  test("sizes as Ollama's HumanBytes", () => {
    expect([512, 1000, 1500, 2019393189, 4.7e9, 13e9, 1.2e12].map(humanBytes)).toEqual([
      "512 B",
      "1 KB",
      "1.5 KB",
      "2.0 GB",
      "4.7 GB",
      "13 GB",
      "1.2 TB",
    ]);
  });

  test("times relative to now", () => {
    const now = Date.parse("2025-01-10T00:00:00Z");
    const at = (ms: number) => new Date(now + ms).toISOString();
    expect(humanTime(at(-500), "Never", now)).toBe("Less than a second ago");
    expect(humanTime(at(-90e3), "Never", now)).toBe("About a minute ago");
    expect(humanTime(at(4 * 60e3 + 500), "Never", now)).toBe("4 minutes from now");
    expect(humanTime(at(-26 * 3600e3), "Never", now)).toBe("26 hours ago");
    expect(humanTime(at(-3 * 86400e3), "Never", now)).toBe("3 days ago");
    expect(humanTime(at(-20 * 86400e3), "Never", now)).toBe("2 weeks ago");
    expect(humanTime("2318-01-01T00:00:00Z", "Never", now)).toBe("Forever");
    expect(humanTime(null, "Never", now)).toBe("Forever");
    expect(humanTime("0001-01-01T00:00:00Z", "Never", now)).toBe("Never");
  });

  test("Go durations both ways", () => {
    expect([0, 999, 1500, 12_500_000, 1_234_567_890, 61e9, 3600e9].map(goDuration)).toEqual([
      "0s",
      "999ns",
      "1.5µs",
      "12.5ms",
      "1.23456789s",
      "1m1s",
      "1h0m0s",
    ]);
    expect(parseGoDuration("5m")).toBe(300e9);
    expect(parseGoDuration("1h30m")).toBe(5400e9);
    expect(parseGoDuration("-1s")).toBe(-1e9);
    expect(parseGoDuration("0")).toBe(0);
    expect(() => parseGoDuration("5")).toThrow('time: missing unit in duration "5"');
    expect(() => parseGoDuration("abc")).toThrow('time: invalid duration "abc"');
  });
});

describe("table, processor", () => {
  test("columns padded with 4 spaces; the header's last cell with 1", () => {
    expect(renderTable([["a", "bbb"]], { header: ["X", "Y"] })).toBe("X    Y   \na    bbb    \n");
    expect(renderTable([["", "k", "a long value that wraps"]], { colWidth: 10 })).toBe(
      "    k    a long        \n" + "         value that    \n" + "         wraps         \n",
    );
  });

  test("processor split", () => {
    expect(processorText({ name: "", digest: "", size: 100, size_vram: 100 })).toBe("100% GPU");
    expect(processorText({ name: "", digest: "", size: 100, size_vram: 0 })).toBe("100% CPU");
    expect(processorText({ name: "", digest: "", size: 100, size_vram: 52, library: "cuda" })).toBe(
      "48%/52% CPU/GPU (cuda)",
    );
  });
});
