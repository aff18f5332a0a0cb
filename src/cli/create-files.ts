/** Local files a Modelfile names (FROM ./x.gguf, ADAPTER, DRAFT): finding, hashing and uploading them. */
import { createReadStream, type Stats } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, isAbsolute, join, resolve } from "node:path";
import { InvalidInputError } from "../errors.ts";
import type { ApiClient } from "./http.ts";
import type { Progress } from "./progress.ts";

/**
 * Files up to this size are read once into memory, hashed and sent from that copy: what is uploaded is
 * exactly what was hashed, and a small Bun.file is never a fetch body (Bun 1.3 can crash on one).
 */
const IN_MEMORY_MAX = 64 * 1024 * 1024;

/** How often a large file being uploaded is checked for changes (a truncated file would stall the upload). */
const CHANGE_POLL_MS = 500;

/** Expands `~` and resolves a relative path against the Modelfile's directory. */
export function expandPath(path: string, baseDir: string): string {
  if (path === "~" || path.startsWith("~/")) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/**
 * The absolute path when `ref` names an existing regular file, undefined when nothing is there (a model
 * name). Directories, devices and FIFOs are refused before anything is read (`/dev/zero` never ends).
 */
export async function localFile(ref: string, baseDir: string): Promise<string | undefined> {
  const path = expandPath(ref, baseDir);
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  if (info.isDirectory())
    throw new InvalidInputError(
      `${ref} is a directory; importing directories is not supported, name a .gguf file`,
    );
  if (!info.isFile()) throw new InvalidInputError(`${ref} is not a regular file`);
  return path;
}

/** `sha256:<hex>` of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>)
    hasher.update(chunk);
  return `sha256:${hasher.digest("hex")}`;
}

/** One local file to send: its path, digest and the name it gets in the create request. */
export interface LocalBlob {
  path: string;
  digest: string;
  name: string;
  size: number;
  /** The file's bytes when small enough to send from memory (see IN_MEMORY_MAX). */
  bytes?: Uint8Array;
  /** The file's identity when hashed: an upload fails if it changes. */
  stats: Stats;
}

/**
 * Hashes a local file for the create request; refuses non-regular files and files that change meanwhile.
 * Files up to `inMemoryMax` bytes are kept in memory and sent from there.
 */
export async function localBlob(path: string, inMemoryMax = IN_MEMORY_MAX): Promise<LocalBlob> {
  const before = await stat(path);
  if (!before.isFile()) throw new InvalidInputError(`${path} is not a regular file`);
  const name = basename(path);
  if (before.size <= inMemoryMax) {
    const bytes = new Uint8Array(await readFile(path));
    const digest = `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;
    return { path, digest, name, size: bytes.byteLength, bytes, stats: before };
  }
  const digest = await sha256File(path);
  if (changed(before, await stat(path))) throw fileChanged(path);
  return { path, digest, name, size: before.size, stats: before };
}

/** Uploads a blob unless the server already has it (HEAD first), showing a "copying file" line. */
export async function uploadBlob(client: ApiClient, blob: LocalBlob, progress: Progress): Promise<void> {
  if (await client.hasBlob(blob.digest)) return;
  const spinner = progress.spinner(`copying file ${blob.digest} 0%`);
  if (blob.bytes) await client.uploadBlob(blob.digest, new Blob([blob.bytes]));
  else await uploadLargeFile(client, blob);
  progress.message(spinner, `copying file ${blob.digest} 100%`);
  spinner.stop();
}

/** Sends a large file from disk, aborting with a clear error if it changes (size, time or inode) meanwhile. */
async function uploadLargeFile(client: ApiClient, blob: LocalBlob): Promise<void> {
  const ctl = new AbortController();
  const poll = setInterval(async () => {
    const now = await stat(blob.path).catch(() => undefined);
    if (!now || changed(blob.stats, now)) ctl.abort(fileChanged(blob.path));
  }, CHANGE_POLL_MS);
  try {
    await client.request(
      "POST",
      `/api/blobs/${blob.digest}`,
      Bun.file(blob.path).slice(0, blob.size),
      ctl.signal,
    );
  } catch (e) {
    if (ctl.signal.aborted) throw ctl.signal.reason;
    throw e;
  } finally {
    clearInterval(poll);
  }
}

function changed(a: Stats, b: Stats): boolean {
  return a.size !== b.size || a.mtimeMs !== b.mtimeMs || a.ino !== b.ino;
}

function fileChanged(path: string): InvalidInputError {
  return new InvalidInputError(`${path} changed while it was being read; run create again once it is stable`);
}

/** `{name: digest}` map of blobs, as the create request's `files`, `adapters` and `draft_files` take. */
export function fileMap(blobs: LocalBlob[]): Record<string, string> | undefined {
  if (blobs.length === 0) return undefined;
  return Object.fromEntries(blobs.map((b) => [b.name, b.digest]));
}
