/**
 * Filesystem errors as the store reports them. Node's messages embed the absolute path
 * ("ENOENT: no such file or directory, open '/home/…/blobs/…'"), which must never reach a client, so
 * errors are re-worded from their errno code alone.
 */
import { TsllmError } from "../errors.ts";
import { DiskFullError, StorageError } from "./errors.ts";

const WORDS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "no such file or directory",
  ENOTDIR: "a path component is not a directory",
  EISDIR: "is a directory",
  EEXIST: "file already exists",
  ENAMETOOLONG: "file name too long",
  EROFS: "read-only file system",
  EIO: "input/output error",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  EXDEV: "cross-device rename",
  EBUSY: "resource busy",
  ELOOP: "too many symbolic links",
  EFBIG: "file too large",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
};

/** The errno code of a filesystem error (`ENOENT`, …), or undefined for anything else. */
export function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** True when `err` is a filesystem error with one of `codes`. */
export function isErrno(err: unknown, ...codes: string[]): boolean {
  const code = errnoOf(err);
  return code !== undefined && codes.includes(code);
}

/** True when `err` means the disk or the user's quota is full. */
export function isDiskFull(err: unknown): boolean {
  return isErrno(err, "ENOSPC", "EDQUOT");
}

/**
 * `err` as a path-free TsllmError: typed errors pass through; errno errors become a StorageError
 * "cannot <doing>: <words>" (a DiskFullError for ENOSPC/EDQUOT); anything else is returned unchanged.
 */
export function storageError(err: unknown, doing: string): unknown {
  if (err instanceof TsllmError) return err;
  const code = errnoOf(err);
  if (code === undefined) return err;
  const words = WORDS[code] ?? code;
  if (code === "ENOSPC" || code === "EDQUOT") return new DiskFullError(`cannot ${doing}: ${words}`, err);
  return new StorageError(`cannot ${doing}: ${words}`, code, err);
}

/** Runs `fn`, re-throwing filesystem errors through storageError. */
export async function storageOp<T>(doing: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw storageError(err, doing);
  }
}

/** "20.0 MiB": sizes in error messages and logs. */
export function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
