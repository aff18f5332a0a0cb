import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WriteHandle } from "./blob-file.ts";
import { BlobStore } from "./blobs.ts";
import { DiskFullError, StorageError } from "./errors.ts";

const sha = (b: Uint8Array | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "tsllm-blobfile-"));
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** A file handle that writes at most `max` bytes per call, then fails with `failAfter` bytes written. */
function fakeHandle(opts: { max: number; failAfter?: number; code?: string; statDelta?: number }) {
  const written: number[] = [];
  let total = 0;
  const fh: WriteHandle = {
    async write(buf: Uint8Array, off = 0, len = buf.byteLength - off) {
      if (opts.failAfter !== undefined && total >= opts.failAfter)
        throw Object.assign(new Error(`${opts.code}: failed, write '/secret/path'`), { code: opts.code });
      const n = Math.min(len, opts.max, opts.failAfter === undefined ? len : opts.failAfter - total);
      for (let i = 0; i < n; i++) written.push(buf[off + i] as number);
      total += n;
      return { bytesWritten: n, buffer: buf };
    },
    async sync() {},
    async stat() {
      return { size: total + (opts.statDelta ?? 0) };
    },
    async close() {},
  } as unknown as WriteHandle;
  return { fh, written };
}

function streamOf(...parts: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(p);
      c.close();
    },
  });
}

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

describe("blob file writes", () => {
  test("short writes are looped: the stored blob holds exactly the bytes written and hashed", async () => {
    let sink: ReturnType<typeof fakeHandle> | undefined;
    const real = new BlobStore(root);
    const blobs = new BlobStore(root, {
      openFile: async (p) => {
        sink = fakeHandle({ max: 13 });
        const { open } = await import("node:fs/promises");
        const file = await open(p, "wx");
        // Forward the fake's short writes to a real file so the rename and the size check run for real.
        return {
          async write(buf: Uint8Array, off?: number, len?: number) {
            const r = await (sink as ReturnType<typeof fakeHandle>).fh.write(buf, off, len);
            await file.write(buf, off, r.bytesWritten);
            return r;
          },
          sync: () => file.sync(),
          stat: () => file.stat(),
          close: () => file.close(),
        } as unknown as WriteHandle;
      },
    });
    const data = bytes(5000, 3);
    const w = await blobs.writeFromStream(sha(data), streamOf(data.subarray(0, 4000), data.subarray(4000)));
    expect(w).toEqual({ digest: sha(data), size: 5000, created: true });
    expect(new Uint8Array(await readFile(real.path(sha(data))))).toEqual(data);
    expect(sink?.written.length).toBe(5000);
  });

  test("ENOSPC is a 507 saying how much more was needed; no path, no temp file", async () => {
    const blobs = new BlobStore(root, {
      openFile: async () => fakeHandle({ max: 1 << 20, failAfter: 3 << 20, code: "ENOSPC" }).fh,
    });
    const data = bytes(5 << 20);
    const err = await blobs
      .writeFromStream(sha(data), streamOf(data), { size: data.byteLength })
      .catch((e) => e);
    expect(err).toBeInstanceOf(DiskFullError);
    expect(err.status).toBe(507);
    expect(err.message).toBe(
      "not enough disk space to store the blob (needed 2.0 MiB more; 3.0 MiB of 5.0 MiB fit)",
    );
    expect(await readdir(blobs.dir)).toEqual([]);
  });

  test("EDQUOT without a declared size still says how far it got", async () => {
    const blobs = new BlobStore(root, {
      openFile: async () => fakeHandle({ max: 1 << 20, failAfter: 1 << 20, code: "EDQUOT" }).fh,
    });
    const data = bytes(2 << 20);
    const err = await blobs.writeFromStream(sha(data), streamOf(data)).catch((e) => e);
    expect(err).toBeInstanceOf(DiskFullError);
    expect(err.message).toBe("not enough disk space to store the blob (the disk filled after 1.0 MiB)");
  });

  test("other errno failures are worded without the path", async () => {
    const blobs = new BlobStore(root, {
      openFile: async () => fakeHandle({ max: 10, failAfter: 0, code: "EIO" }).fh,
    });
    const err = await blobs.writeFromStream(sha("x"), streamOf(bytes(10))).catch((e) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err.message).toBe("cannot write a blob file: input/output error");
    expect(err.message).not.toContain("secret");
  });

  test("a file whose size on disk differs from the bytes written is refused", async () => {
    const blobs = new BlobStore(root, { openFile: async () => fakeHandle({ max: 100, statDelta: -1 }).fh });
    const data = bytes(50);
    const err = await blobs.writeFromStream(sha(data), streamOf(data)).catch((e) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err.message).toBe("blob file holds 49 bytes after writing 50");
  });
});
