import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { type FileHandle, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageError } from "../../store/index.ts";
import { PrefixCursor } from "./plan.ts";
import { hashWorkers, WorkerPrefixHasher } from "./worker-hasher.ts";

const SIZE = 9 * (1 << 20) + 77;
const blob = new Uint8Array(SIZE).map((_, i) => (i * 13 + (i >> 10)) & 0xff);
const want = `sha256:${createHash("sha256").update(blob).digest("hex")}`;

let dir: string;
let path: string;
let fh: FileHandle;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tsllm-hasher-"));
  path = join(dir, "partial");
  fh = await open(path, "w+");
  await fh.truncate(SIZE);
});
afterEach(async () => {
  await fh.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

/** Writes the blob in `step`-byte pieces, telling the hasher each time the prefix grows. */
async function writeAll(hasher: WorkerPrefixHasher, step = 1 << 20): Promise<void> {
  for (let at = 0; at < SIZE; at += step) {
    const piece = blob.subarray(at, Math.min(SIZE, at + step));
    await fh.write(piece, 0, piece.byteLength, at);
    hasher.advance(at + piece.byteLength);
  }
}

describe("WorkerPrefixHasher", () => {
  test("hashes the prefix on a worker as it grows, to the blob's digest", async () => {
    const hasher = new WorkerPrefixHasher(fh, path, SIZE);
    await writeAll(hasher);
    expect(await hasher.digest()).toBe(want);
    await hasher.stop();
  });

  test("a worker that cannot start hands over to hashing on this thread", async () => {
    const hasher = new WorkerPrefixHasher(fh, path, SIZE, () => {
      throw new Error("no worker");
    });
    await writeAll(hasher);
    expect(await hasher.digest()).toBe(want);
  });

  test("a worker that dies midway is replaced by hashing on this thread from byte 0", async () => {
    const dies = URL.createObjectURL(
      new Blob(["self.onmessage = (e) => { if (e.data.kind === 'advance') process.exit(1); };"]),
    );
    const hasher = new WorkerPrefixHasher(fh, path, SIZE, () => new Worker(dies));
    await writeAll(hasher);
    expect(await hasher.digest()).toBe(want);
  });

  test("a file shorter than the prefix claimed is a storage error", async () => {
    await fh.truncate(1 << 20);
    const hasher = new WorkerPrefixHasher(fh, path, SIZE);
    hasher.advance(SIZE);
    const err = await hasher.digest().catch((e) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toContain("shorter than its state says");
  });

  test("a pooled worker hashes one download after another, after a stop too", async () => {
    hashWorkers.clear();
    const first = new WorkerPrefixHasher(fh, path, SIZE);
    await writeAll(first);
    expect(await first.digest()).toBe(want);
    expect(hashWorkers.idle).toBe(1);
    // The same worker: stopped halfway through another file, then hashing this one from its start.
    const other = join(dir, "other");
    const ofh = await open(other, "w+");
    await ofh.truncate(SIZE);
    const stopped = new WorkerPrefixHasher(ofh, other, SIZE);
    expect(hashWorkers.idle).toBe(0);
    stopped.advance(4 << 20);
    await stopped.stop();
    await ofh.close();
    expect(hashWorkers.idle).toBe(1);
    const second = new WorkerPrefixHasher(fh, path, SIZE);
    expect(hashWorkers.idle).toBe(0);
    second.advance(SIZE);
    expect(await second.digest()).toBe(want);
    expect(hashWorkers.idle).toBe(1);
  });

  test("a worker that failed is not given back", async () => {
    hashWorkers.clear();
    await fh.truncate(1 << 20);
    const hasher = new WorkerPrefixHasher(fh, path, SIZE);
    hasher.advance(SIZE);
    expect(await hasher.digest().catch((e) => e)).toBeInstanceOf(StorageError);
    expect(hashWorkers.idle).toBe(0);
  });

  test("stop ends the worker without a digest", async () => {
    const hasher = new WorkerPrefixHasher(fh, path, SIZE);
    hasher.advance(4 << 20);
    await hasher.stop();
    await hasher.stop();
  });
});

describe("PrefixCursor", () => {
  test("follows the contiguous prefix as parts fill in any order", () => {
    const parts = [
      { offset: 0, size: 10, done: 0 },
      { offset: 10, size: 10, done: 0 },
      { offset: 20, size: 5, done: 0 },
    ];
    const cursor = new PrefixCursor(parts);
    expect(cursor.end()).toBe(0);
    (parts[1] as { done: number }).done = 10;
    expect(cursor.end()).toBe(0);
    (parts[0] as { done: number }).done = 10;
    expect(cursor.end()).toBe(20);
    (parts[2] as { done: number }).done = 3;
    expect(cursor.end()).toBe(23);
    (parts[2] as { done: number }).done = 5;
    expect(cursor.end()).toBe(25);
    expect(new PrefixCursor([]).end()).toBe(0);
  });
});
