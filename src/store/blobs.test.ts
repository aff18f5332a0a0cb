import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobStore } from "./blobs.ts";
import { digestToFileName, fileNameToDigest, parseDigest } from "./digest.ts";
import { DigestMismatchError, InvalidDigestError } from "./errors.ts";

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
});
