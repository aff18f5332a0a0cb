/**
 * Writing one blob file safely: every write's byte count checked (short writes looped), the sha256 taken
 * over exactly the bytes written, fsync, the on-disk size compared with the count. Only such a file may be
 * renamed to its digest's name, so a blob present under its name is always complete.
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { DiskFullError, StorageError } from "./errors.ts";
import { isDiskFull, isErrno, mib, storageError } from "./fs-errors.ts";

/** A fully written, fsynced temp file and what its bytes hash to. */
export interface WrittenFile {
  /** `sha256:<hex>` of the bytes on disk. */
  readonly digest: string;
  readonly size: number;
}

/** The file-handle calls a write needs; a test passes a fake to produce short writes. */
export type WriteHandle = Pick<FileHandle, "write" | "sync" | "stat" | "close">;

/** How a blob file is written. */
export interface WriteFileOptions {
  /** The expected total (Content-Length), for the disk-full message. */
  sizeHint?: number;
  /** Opens the temp file; node's `open(path, "wx")` unless a test injects a fake. */
  openFile?: (path: string) => Promise<WriteHandle>;
}

/** Writes `chunks` to a new file at `path` (which must not exist), fsyncs it and checks its size. */
export async function writeBlobFile(
  path: string,
  chunks: AsyncIterable<Uint8Array>,
  opts: WriteFileOptions = {},
): Promise<WrittenFile> {
  const openFile = opts.openFile ?? ((p: string) => open(p, "wx", 0o644));
  const fh = await openFile(path).catch((e) => {
    throw storageError(e, "create a blob file");
  });
  const hash = createHash("sha256");
  const count = { size: 0 };
  try {
    for await (const chunk of chunks) await writeAll(fh, chunk, hash, count);
    await fh.sync();
    const onDisk = (await fh.stat()).size;
    if (onDisk !== count.size)
      throw new StorageError(`blob file holds ${onDisk} bytes after writing ${count.size}`, "EIO");
  } catch (err) {
    await fh.close().catch(() => {});
    if (isDiskFull(err)) throw diskFull(count.size, opts.sizeHint, err);
    throw storageError(err, "write a blob file");
  }
  await fh.close().catch((e) => {
    throw storageError(e, "write a blob file");
  });
  return { digest: `sha256:${hash.digest("hex")}`, size: count.size };
}

/** Hashes a file already on disk (a quantizer's output) and fsyncs it, so it can be renamed into place. */
export async function sealBlobFile(path: string): Promise<WrittenFile> {
  const hash = createHash("sha256");
  let size = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.byteLength;
    }
    const fh = await open(path, "r+");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw storageError(err, "read a blob file");
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

/** Makes a rename inside `dir` durable; filesystems that cannot fsync a directory are tolerated. */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch (err) {
    if (!isErrno(err, "EINVAL", "EISDIR", "EBADF", "EPERM", "EACCES"))
      throw storageError(err, "sync a store directory");
  } finally {
    await fh?.close().catch(() => {});
  }
}

/** Writes all of `chunk`, looping on short writes; hashes and counts exactly the bytes the kernel accepted. */
async function writeAll(fh: WriteHandle, chunk: Uint8Array, hash: Hash, count: { size: number }) {
  let off = 0;
  while (off < chunk.byteLength) {
    const { bytesWritten } = await fh.write(chunk, off, chunk.byteLength - off);
    // A write that accepts nothing would loop forever; the kernel reports a full disk as ENOSPC instead.
    if (!(bytesWritten > 0)) throw Object.assign(new Error("write accepted no bytes"), { code: "EIO" });
    hash.update(chunk.subarray(off, off + bytesWritten));
    off += bytesWritten;
    count.size += bytesWritten;
  }
}

function diskFull(written: number, total: number | undefined, cause: unknown): DiskFullError {
  const detail =
    total !== undefined && total > written
      ? `needed ${mib(total - written)} more; ${mib(written)} of ${mib(total)} fit`
      : `the disk filled after ${mib(written)}`;
  return new DiskFullError(`not enough disk space to store the blob (${detail})`, cause);
}
