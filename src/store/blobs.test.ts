import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobStore } from "./blobs.ts";
import { digestToFileName, fileNameToDigest, parseDigest } from "./digest.ts";
import {
  DigestMismatchError,
  InvalidDigestError,
  StorageError,
  StoreClosedError,
  UploadStalledError,
} from "./errors.ts";

const sha = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;
let root: string;
let blobs: BlobStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "tsllm-blobs-"));
  blobs = new BlobStore(root);
});
afterEach(() => rm(root, { recursive: true, force: true }));

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(new TextEncoder().encode(p));
      c.close();
    },
  });
}

describe("digests", () => {
  test("API form and file form convert both ways; bad ones are 400", () => {
    const d = sha("x");
    expect(digestToFileName(d)).toBe(d.replace(":", "-"));
    expect(fileNameToDigest(digestToFileName(d))).toBe(d);
    expect(parseDigest(d.replace(":", "-").toUpperCase().replace("SHA256", "sha256"))).toBe(d);
    for (const bad of ["", "sha256:abc", "md5:" + "0".repeat(64), `sha256:${"g".repeat(64)}`]) {
      expect(() => parseDigest(bad)).toThrow(InvalidDigestError);
    }
    expect(fileNameToDigest(".tmp-123")).toBeUndefined();
  });
});

describe("BlobStore", () => {
  test("writeFromStream verifies and stores under the digest", async () => {
    const d = sha("hello world");
    expect(await blobs.has(d)).toBe(false);
    const w = await blobs.writeFromStream(d, streamOf("hello ", "world"));
    expect(w).toEqual({ digest: d, size: 11, created: true });
    expect(await readFile(blobs.path(d), "utf8")).toBe("hello world");
    expect(await blobs.has(d)).toBe(true);
    expect((await blobs.writeFromStream(d, streamOf("hello world"))).created).toBe(false);
    expect(await blobs.list()).toEqual([d]);
  });

  test("a digest mismatch is a 400 and leaves no temp file", async () => {
    const d = sha("expected");
    const err = await blobs.writeFromStream(d, streamOf("something else")).catch((e) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect(err.status).toBe(400);
    expect(err.message).toBe(`digest mismatch, expected "${d}", got "${sha("something else")}"`);
    expect(await readdir(blobs.dir)).toEqual([]);
  });

  test("concurrent writers of the same blob both succeed", async () => {
    const body = "x".repeat(100_000);
    const d = sha(body);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => blobs.writeFromStream(d, streamOf(body))),
    );
    expect(results.every((r) => r.digest === d)).toBe(true);
    expect(await readdir(blobs.dir)).toEqual([digestToFileName(d)]);
    expect(await readFile(blobs.path(d), "utf8")).toBe(body);
  });

  test("importFile hashes and copies a local file; writeBytes stores small layers", async () => {
    const src = join(root, "model.gguf");
    await writeFile(src, "GGUF weights");
    const w = await blobs.importFile(src);
    expect(w.digest).toBe(sha("GGUF weights"));
    expect(await blobs.size(w.digest)).toBe(12);
    expect((await blobs.writeBytes("{{ .Prompt }}")).digest).toBe(sha("{{ .Prompt }}"));
    await blobs.remove(w.digest);
    expect(await blobs.has(w.digest)).toBe(false);
  });

  test("an existing blob is kept (200) and the body read to its end when the declared size matches", async () => {
    const d = sha("same bytes");
    await blobs.writeFromStream(d, streamOf("same bytes"));
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        if (pulled > 3) c.close();
        else c.enqueue(new TextEncoder().encode("junk"));
      },
    });
    const w = await blobs.writeFromStream(d, body, { size: 10 });
    expect(w).toEqual({ digest: d, size: 10, created: false });
    expect(pulled).toBe(4);
  });

  test("a damaged blob (size differs from the upload's) is replaced by a verified upload", async () => {
    const d = sha("the real content");
    await mkdir(blobs.dir, { recursive: true });
    await writeFile(blobs.path(d), "the real"); // cut short by an older version or a crash elsewhere
    const w = await blobs.writeFromStream(d, streamOf("the real content"), { size: 16 });
    expect(w).toEqual({ digest: d, size: 16, created: true });
    expect(await readFile(blobs.path(d), "utf8")).toBe("the real content");
    expect(await readdir(blobs.dir)).toEqual([digestToFileName(d)]);
  });

  test("a stalled upload fails with 408 and leaves nothing behind", async () => {
    const slow = new BlobStore(root, { stallTimeoutMs: 50 });
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("partial"));
      },
    });
    const err = await slow.writeFromStream(sha("partial and more"), body).catch((e) => e);
    expect(err).toBeInstanceOf(UploadStalledError);
    expect(await readdir(slow.dir)).toEqual([]);
  });

  test("close() aborts uploads in progress (503), removes their temp files and refuses new ones", async () => {
    let started: () => void = () => {};
    const sent = new Promise<void>((r) => {
      started = r;
    });
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(new TextEncoder().encode("first chunk"));
        started();
        return new Promise(() => {}); // then nothing, ever
      },
    });
    const upload = blobs.writeFromStream(sha("never"), body).catch((e) => e);
    await sent;
    await blobs.close();
    expect(await upload).toBeInstanceOf(StoreClosedError);
    expect(await readdir(blobs.dir)).toEqual([]);
    const again = await blobs.writeFromStream(sha("x"), streamOf("x")).catch((e) => e);
    expect(again).toBeInstanceOf(StoreClosedError);
    expect(again.status).toBe(503);
  });

  test("filesystem errors never show the store's path", async () => {
    await writeFile(join(root, "blobs"), "a file where the directory should be");
    const err = await blobs.writeBytes("x").catch((e) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err.message).not.toContain(root);
    expect(err.message).toMatch(/^cannot create the blob directory: /);
  });

  test("adopt takes a finished temp file in place under its digest", async () => {
    await mkdir(blobs.dir, { recursive: true });
    const tmp = blobs.tempPath("quantize");
    expect(BlobStore.isTemp(tmp.split("/").pop() as string)).toBe(true);
    await writeFile(tmp, "quantized weights");
    const w = await blobs.adopt(tmp);
    expect(w).toEqual({ digest: sha("quantized weights"), size: 17, created: true });
    expect(await readdir(blobs.dir)).toEqual([digestToFileName(w.digest)]);
  });
});
