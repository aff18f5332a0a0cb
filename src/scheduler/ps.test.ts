import { expect, test } from "bun:test";
import { digestOfPath, humanNumber, sortPs } from "./ps.ts";
import type { PsEntry } from "./types.ts";

test.each([
  [8_000_000_000, "8B"],
  [7_615_616_512, "7.6B"],
  [494_032_768, "494.03M"],
  [1_000_000, "1M"],
  [12_345, "12K"],
  [999, "999"],
])("humanNumber(%d) = %s", (n, want) => {
  expect(humanNumber(n)).toBe(want);
});

test("digestOfPath reads sha256-<hex> blob names", () => {
  const hex = "0123456789abcdef".repeat(4);
  expect(digestOfPath(`/x/blobs/sha256-${hex}`)).toBe(hex);
  expect(digestOfPath("/tmp/model.gguf")).toBe("");
});

test("sortPs: forever first, then latest expiry", () => {
  const row = (name: string, at: number | null) =>
    ({ name, expires_at: at === null ? null : new Date(at) }) as PsEntry;
  const sorted = sortPs([row("a", 10), row("b", null), row("c", 30)]);
  expect(sorted.map((r) => r.name)).toEqual(["b", "c", "a"]);
});
