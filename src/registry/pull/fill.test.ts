import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { type FileHandle, mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PartialPart } from "../../store/index.ts";
import { TruncatedBodyError } from "./errors.ts";
import { fillParts } from "./fill.ts";
import { PrefixHasher } from "./hasher.ts";

const SIZE = 3 * (1 << 20) + 123;
const blob = new Uint8Array(SIZE).map((_, i) => (i * 31 + (i >> 8)) & 0xff);

let dir: string;
let fh: FileHandle;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tsllm-fill-"));
  fh = await open(join(dir, "partial"), "w+");
  await fh.truncate(SIZE);
});
afterEach(async () => {
  await fh.close();
  await rm(dir, { recursive: true, force: true });
});

/** A body of blob[from, to) in chunks of `chunk` bytes. */
function body(from: number, to: number, chunk = 65_536): ReadableStream<Uint8Array> {
  let at = from;
  return new ReadableStream({
    pull(c) {
      if (at >= to) return c.close();
      c.enqueue(blob.slice(at, Math.min(to, at + chunk)));
      at += chunk;
    },
  });
}

const parts = (...sizes: [number, number][]): PartialPart[] => {
  let offset = 0;
  return sizes.map(([size, done]) => {
    const p = { offset, size, done };
    offset += size;
    return p;
  });
};
const hooks = (count: { n: number }) => ({ onActivity() {}, onWritten: (n: number) => void (count.n += n) });
const onDisk = async () => new Uint8Array(await readFile(join(dir, "partial")));
const signal = new AbortController().signal;

describe("fillParts", () => {
  test("a ranged body fills its part at its offset and credits exactly the bytes written", async () => {
    const ps = parts([1 << 20, 0], [SIZE - (1 << 20), 0]);
    const count = { n: 0 };
    await fillParts(fh, body(1 << 20, SIZE), 1 << 20, [ps[1] as PartialPart], signal, hooks(count));
    expect(ps[1]?.done).toBe(SIZE - (1 << 20));
    expect(ps[0]?.done).toBe(0);
    expect(count.n).toBe(SIZE - (1 << 20));
    expect((await onDisk()).subarray(1 << 20)).toEqual(blob.subarray(1 << 20));
  });

  test("a whole-blob body (a 200) skips what parts already hold and fills the holes", async () => {
    const ps = parts([1 << 20, 1000], [1 << 20, 1 << 20], [SIZE - (2 << 20), 77]);
    // What the earlier attempts wrote.
    await fh.write(blob, 0, 1000, 0);
    await fh.write(blob, 1 << 20, 1 << 20, 1 << 20);
    await fh.write(blob, 2 << 20, 77, 2 << 20);
    const count = { n: 0 };
    await fillParts(fh, body(0, SIZE, 100_000), 0, [ps[0], ps[2]] as PartialPart[], signal, hooks(count));
    expect(count.n).toBe(SIZE - 1000 - (1 << 20) - 77);
    expect(await onDisk()).toEqual(blob);
  });

  test("a body ending early is a TruncatedBodyError, and the bytes it did bring are kept", async () => {
    const ps = parts([SIZE, 0]);
    const count = { n: 0 };
    const err = await fillParts(fh, body(0, 500_000), 0, ps, signal, hooks(count)).catch((e) => e);
    expect(err).toBeInstanceOf(TruncatedBodyError);
    expect(ps[0]?.done).toBe(500_000);
    expect((await onDisk()).subarray(0, 500_000)).toEqual(blob.subarray(0, 500_000));
  });

  test("an aborted read keeps the bytes that arrived before it", async () => {
    const ps = parts([SIZE, 0]);
    const abort = new AbortController();
    let sent = 0;
    const stalling = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= 300_000) return new Promise(() => {});
        c.enqueue(blob.slice(sent, sent + 100_000));
        sent += 100_000;
      },
    });
    const count = { n: 0 };
    const run = fillParts(fh, stalling, 0, ps, abort.signal, {
      onActivity() {
        if (sent >= 300_000) abort.abort(new Error("stop"));
      },
      onWritten: (n) => void (count.n += n),
    });
    expect(((await run.catch((e) => e)) as Error).message).toBe("stop");
    expect(ps[0]?.done).toBe(300_000);
    expect(count.n).toBe(300_000);
  });

  test("the prefix hasher follows the writes to the right digest", async () => {
    const ps = parts([1 << 20, 0], [1 << 20, 0], [SIZE - (2 << 20), 0]);
    const hasher = new PrefixHasher(fh, SIZE);
    const advance = () => hasher.advance(ps.find((p) => p.done < p.size)?.offset ?? SIZE);
    const h = { onActivity() {}, onWritten: advance };
    // Out of order, as parallel parts finish.
    await fillParts(fh, body(2 << 20, SIZE), 2 << 20, [ps[2] as PartialPart], signal, h);
    await fillParts(fh, body(0, 1 << 20), 0, [ps[0] as PartialPart], signal, h);
    expect(hasher.hashed).toBeLessThanOrEqual(1 << 20);
    await fillParts(fh, body(1 << 20, 2 << 20), 1 << 20, [ps[1] as PartialPart], signal, h);
    expect(await hasher.digest()).toBe(`sha256:${createHash("sha256").update(blob).digest("hex")}`);
  });
});
