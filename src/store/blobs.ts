import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { TEMP_PREFIX, tempPathFor } from "./atomic.ts";
import {
  sealBlobFile,
  syncDir,
  type WriteFileOptions,
  type WrittenFile,
  writeBlobFile,
} from "./blob-file.ts";
import { type ByteSource, readChunks } from "./chunks.ts";
import { digestToFileName, fileNameToDigest, parseDigest } from "./digest.ts";
import { BlobNotFoundError, DigestMismatchError, StorageError, StoreClosedError } from "./errors.ts";
import { isErrno, storageError, storageOp } from "./fs-errors.ts";

export type { ByteSource } from "./chunks.ts";

/** Result of putting bytes into the store. */
export interface BlobWrite {
  /** `sha256:<hex>` */
  readonly digest: string;
  readonly size: number;
  /** False when the blob was already present (nothing replaced). */
  readonly created: boolean;
}

/** How the blob store treats incoming streams. */
export interface BlobStoreOptions {
  /** Longest pause (ms) between chunks of a streamed upload before it fails with 408; 0 = none. */
  stallTimeoutMs?: number;
  /** Test hook: opens temp files (to inject short writes or failures). */
  openFile?: WriteFileOptions["openFile"];
}

/** What a streamed write knows in advance. */
export interface StreamWriteOptions {
  /** The sender's declared length (Content-Length), if any. */
  size?: number;
}

/**
 * Content-addressed blobs under `<root>/blobs/sha256-<hex>`. A blob is written to a temp file, fsynced,
 * verified against its digest and only then renamed to its name: a blob present under its name is complete.
 */
export class BlobStore {
  /** The `blobs/` directory. */
  readonly dir: string;
  readonly #opts: BlobStoreOptions;
  readonly #closing = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(root: string, opts: BlobStoreOptions = {}) {
    this.dir = join(root, "blobs");
    this.#opts = opts;
  }

  /** Absolute file path of a digest (which need not exist). Throws InvalidDigestError. */
  path(digest: string): string {
    return join(this.dir, digestToFileName(digest));
  }

  /** A fresh temp path inside `blobs/` (removed at startup if left behind); `tag` says what writes it. */
  tempPath(tag = ""): string {
    return tempPathFor(join(this.dir, "x"), tag);
  }

  /** True when the blob file exists (and so, by construction, is complete). */
  async has(digest: string): Promise<boolean> {
    return (await this.#sizeOf(digest)) !== undefined;
  }

  /** Size in bytes; BlobNotFoundError when absent. */
  async size(digest: string): Promise<number> {
    const size = await this.#sizeOf(digest);
    if (size === undefined) throw new BlobNotFoundError(digest);
    return size;
  }

  /**
   * Streams an upload into the store, verifying it against `digest` (400 on mismatch). A blob already
   * present is kept and the body read to its end, unless the sender's declared size differs from the file's
   * (a damaged file): then the upload replaces it. A pause longer than the stall timeout is a 408; a full
   * disk a 507; closing the store aborts it (503). Nothing partial is ever left under the digest's name.
   */
  async writeFromStream(
    digest: string,
    source: ByteSource,
    opts: StreamWriteOptions = {},
  ): Promise<BlobWrite> {
    const expected = parseDigest(digest);
    return this.#track(async () => {
      const chunks = readChunks(source, {
        stallMs: this.#opts.stallTimeoutMs,
        signal: this.#closing.signal,
      });
      const present = await this.#sizeOf(expected);
      if (present !== undefined && (opts.size === undefined || opts.size === present)) {
        for await (const _ of chunks) {
          // A client still sending must reach the end of its body to read the answer.
        }
        return { digest: expected, size: present, created: false };
      }
      return this.#ingest(chunks, expected, opts.size);
    });
  }

  /** Stores an in-memory value (template, params, config …) under its own digest. */
  async writeBytes(data: string | Uint8Array): Promise<BlobWrite> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    return this.#ingest(oneChunk(bytes));
  }

  /** Hashes a local file while copying it into the store; returns its digest. */
  async importFile(path: string): Promise<BlobWrite> {
    return this.#ingest(createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>);
  }

  /** Takes a finished file inside `blobs/` (from tempPath) into the store under its digest, without copying. */
  async adopt(tempFile: string): Promise<BlobWrite> {
    try {
      return await this.#commit(tempFile, await sealBlobFile(tempFile));
    } catch (err) {
      await rm(tempFile, { force: true });
      throw err;
    }
  }

  /**
   * Takes a file inside `blobs/` whose bytes the caller has already hashed to `digest` (a pull verifies while
   * it downloads) into the store without reading it again: its size is checked, it is fsynced and renamed.
   */
  async commitVerified(file: string, digest: string, size: number): Promise<BlobWrite> {
    const expected = parseDigest(digest);
    const fh = await storageOp("open a downloaded blob", () => open(file, "r+"));
    try {
      const onDisk = (await fh.stat()).size;
      if (onDisk !== size)
        throw new StorageError(`downloaded blob holds ${onDisk} bytes, not ${size}`, "EIO");
      await storageOp("sync a downloaded blob", () => fh.sync());
    } finally {
      await fh.close().catch(() => {});
    }
    return this.#commit(file, { digest: expected, size });
  }

  /** Deletes a blob; absent blobs are ignored. */
  async remove(digest: string): Promise<void> {
    await storageOp("remove a blob", () => rm(this.path(digest), { force: true }));
  }

  /** Digests of every well-named blob file (temps and partials are skipped). */
  async list(): Promise<string[]> {
    return (await this.entries()).map(fileNameToDigest).filter((d): d is string => d !== undefined);
  }

  /** Every file name in `blobs/`, blobs and leftovers alike. */
  async entries(): Promise<string[]> {
    try {
      return await readdir(this.dir);
    } catch (err) {
      if (isErrno(err, "ENOENT")) return [];
      throw storageError(err, "list blobs");
    }
  }

  /** True when `name` in `blobs/` is one of this store's temp files. */
  static isTemp(name: string): boolean {
    return name.startsWith(TEMP_PREFIX);
  }

  /** Aborts every streamed write in progress (each removes its temp file) and waits for them to end. */
  async close(): Promise<void> {
    this.#closing.abort(new StoreClosedError());
    await Promise.allSettled([...this.#inFlight]);
  }

  async #sizeOf(digest: string): Promise<number | undefined> {
    try {
      const s = await stat(this.path(digest));
      return s.isFile() ? s.size : undefined;
    } catch (err) {
      if (isErrno(err, "ENOENT", "ENOTDIR")) return undefined;
      throw storageError(err, "read a blob");
    }
  }

  async #track<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closing.signal.aborted) throw new StoreClosedError();
    const p = fn();
    this.#inFlight.add(p);
    try {
      return await p;
    } finally {
      this.#inFlight.delete(p);
    }
  }

  /** Writes `chunks` to a temp file, then commits it; the temp file never outlives a failure. */
  async #ingest(chunks: AsyncIterable<Uint8Array>, expected?: string, sizeHint?: number): Promise<BlobWrite> {
    await storageOp("create the blob directory", () => mkdir(this.dir, { recursive: true }));
    const tmp = this.tempPath();
    try {
      const written = await writeBlobFile(tmp, chunks, { sizeHint, openFile: this.#opts.openFile });
      return await this.#commit(tmp, written, expected);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Renames a verified temp file to its digest's name (replacing a damaged file of another size). */
  async #commit(tmp: string, written: WrittenFile, expected?: string): Promise<BlobWrite> {
    const { digest, size } = written;
    if (expected !== undefined && digest !== expected) throw new DigestMismatchError(expected, digest);
    const present = await this.#sizeOf(digest);
    // Same-digest writers race harmlessly: a present file of the right size holds these very bytes.
    if (present === size) {
      await rm(tmp, { force: true });
      return { digest, size, created: false };
    }
    await storageOp("store a blob", () => rename(tmp, this.path(digest)));
    await syncDir(this.dir);
    return { digest, size, created: true };
  }
}

async function* oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}
