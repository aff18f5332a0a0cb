import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BadBodyError, type Credit, SpanWriter } from "./span-writer.ts";

const SIZE = 3 << 20;
const blob = new Uint8Array(SIZE).map((_, i) => (i * 7 + (i >> 12)) & 0xff);

let dir: string;
let path: string;
let fd: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tsllm-span-"));
  path = join(dir, "partial");
  writeFileSync(path, new Uint8Array(SIZE));
  fd = openSync(path, "r+");
});
afterEach(() => {
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

/** Feeds `bytes` in 64 KiB chunks. */
function feed(w: SpanWriter, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.byteLength && !w.complete; at += 64 << 10)
    w.take(bytes.subarray(at, Math.min(bytes.byteLength, at + (64 << 10))));
}

const sum = (credits: Credit[] | undefined, part: number) =>
  (credits ?? []).filter(([p]) => p === part).reduce((s, [, n]) => s + n, 0);

describe("SpanWriter", () => {
  test("a whole-blob body fills only the holes; bytes are credited per part once written", () => {
    const mib = 1 << 20;
    const parts = [
      { offset: 0, size: mib, done: mib },
      { offset: mib, size: mib, done: 1000 },
      { offset: 2 * mib, size: mib, done: 0 },
    ];
    const w = new SpanWriter(fd, parts, 0);
    feed(w, blob);
    expect(w.complete).toBe(true);
    w.write();
    const credits = w.settle();
    expect(sum(credits, 0)).toBe(0);
    expect(sum(credits, 1)).toBe(mib - 1000);
    expect(sum(credits, 2)).toBe(mib);
    const disk = readFileSync(path);
    // The held bytes were skipped, not rewritten (they are zeros on disk here).
    expect(disk.subarray(0, mib + 1000).every((b) => b === 0)).toBe(true);
    expect(disk.subarray(mib + 1000).equals(blob.subarray(mib + 1000))).toBe(true);
    expect(w.filled()).toEqual({ got: SIZE, wanted: SIZE });
  });

  test("nothing is credited before it is written; a short body reports how much it filled", () => {
    const w = new SpanWriter(fd, [{ offset: 0, size: SIZE, done: 0 }], 0);
    w.take(blob.subarray(0, 4096));
    expect(w.settle()).toBeUndefined();
    expect(w.unsettled).toBe(true);
    w.write();
    expect(w.settle()).toEqual([[0, 4096]]);
    expect(w.filled()).toEqual({ got: 4096, wanted: SIZE });
  });

  test("a body that starts past the first missing byte is refused", () => {
    const w = new SpanWriter(fd, [{ offset: 0, size: SIZE, done: 10 }], 20);
    expect(() => w.take(blob.subarray(20, 100))).toThrow(BadBodyError);
  });
});
