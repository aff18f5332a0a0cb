import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { tempPathFor } from "./atomic.ts";
import { digestToFileName, fileNameToDigest, parseDigest } from "./digest.ts";
import { BlobNotFoundError, DigestMismatchError } from "./errors.ts";

/** Bytes arriving over time: a web stream or any async iterable of chunks. */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Result of putting bytes into the store. */
export interface BlobWrite {
  /** `sha256:<hex>` */
  readonly digest: string;
  readonly size: number;
  /** False when the blob was already present (nothing replaced). */
  readonly created: boolean;
}

/** Content-addressed blobs under `<root>/blobs/sha256-<hex>`; every write is temp file + rename. */
export class BlobStore {
  /** The `blobs/` directory. */
  readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, "blobs");
  }

  /** Absolute file path of a digest (which need not exist). Throws InvalidDigestError. */
  path(digest: string): string {
    return join(this.dir, digestToFileName(digest));
  }

  /** True when the blob file exists. */
  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.path(digest))).isFile();
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Size in bytes; BlobNotFoundError when absent. */
  async size(digest: string): Promise<number> {
    try {
      return (await stat(this.path(digest))).size;
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(digest);
      throw err;
    }
  }

  /** Streams bytes in, verifying them against `digest`; on mismatch the temp file is removed (400). */
  async writeFromStream(digest: string, source: ByteSource): Promise<BlobWrite> {
    return this.ingest(source, parseDigest(digest));
  }

  /** Stores an in-memory value (template, params, config …) under its own digest. */
  async writeBytes(data: string | Uint8Array): Promise<BlobWrite> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    return this.ingest(oneChunk(bytes));
  }

  /** Hashes a local file while copying it into the store; returns its digest. */
  async importFile(path: string): Promise<BlobWrite> {
    return this.ingest(createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>);
  }

  /** Deletes a blob; absent blobs are ignored. */
  async remove(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }

  /** Digests of every well-named blob file (temps and partials are skipped). */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    return names.map(fileNameToDigest).filter((d): d is string => d !== undefined);
  }

  /** Copies `source` to a temp file while hashing, then renames it to its digest's name. */
  private async ingest(source: ByteSource, expected?: string): Promise<BlobWrite> {
    await mkdir(this.dir, { recursive: true });
    const tmp = tempPathFor(join(this.dir, "x"));
    const hash = createHash("sha256");
    let size = 0;
    const fh = await open(tmp, "wx", 0o644);
    try {
      for await (const chunk of iterate(source)) {
        hash.update(chunk);
        size += chunk.byteLength;
        await fh.write(chunk);
      }
      await fh.close();
      const digest = `sha256:${hash.digest("hex")}`;
      if (expected !== undefined && digest !== expected) throw new DigestMismatchError(expected, digest);
      const target = this.path(digest);
      const created = !(await this.has(digest));
      // Same-digest writers race harmlessly: rename replaces identical bytes atomically.
      if (created) await rename(tmp, target);
      else await rm(tmp, { force: true });
      return { digest, size, created };
    } catch (err) {
      await fh.close().catch(() => {});
      await rm(tmp, { force: true });
      throw err;
    }
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === "ENOENT";
}

async function* oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function* iterate(source: ByteSource): AsyncIterable<Uint8Array> {
  if (source instanceof ReadableStream) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      // Bun 1.3 throws "undefined is not a function" from releaseLock on a finished request body.
      try {
        reader.releaseLock();
      } catch {}
    }
  } else {
    yield* source;
  }
}
