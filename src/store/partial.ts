/**
 * Resumable downloads inside `blobs/`: the data file `sha256-<hex>-partial` (full size, written at offsets,
 * sparse until filled) and its state `sha256-<hex>-partial.state` (the parts and how many bytes of each are on
 * disk). A state never claims bytes that were not written first, so a process killed at any moment resumes
 * from it. The bytes themselves are trusted only once the whole blob hashes to its digest.
 *
 * Lifetime: a partial with a state file is kept while the state is younger than PARTIAL_TTL_MS (every
 * checkpoint refreshes it), then removed at startup. A data file without our state file (Ollama's partial,
 * or a crash before the first checkpoint) is foreign: startup prunes it as Ollama does, and a pull that
 * finds one starts over in it.
 */
import { type FileHandle, mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { type Static, Type as t } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { tempPathFor } from "./atomic.ts";
import type { BlobStore } from "./blobs.ts";
import { digestToFileName, parseDigest } from "./digest.ts";
import { isErrno, storageError, storageOp } from "./fs-errors.ts";

/** How long an untouched partial download is kept for a later resume (a week: a restart the next day resumes). */
export const PARTIAL_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const PARTIAL_SUFFIX = "-partial";
const STATE_SUFFIX = `${PARTIAL_SUFFIX}.state`;
const PARTIAL_RE = /^(sha256-[0-9a-f]{64})-partial(\.state)?$/;

/** One byte range of a blob and how much of it, from its start, is on disk. */
export const PartialPart = t.Object({
  offset: t.Integer({ minimum: 0 }),
  size: t.Integer({ minimum: 1 }),
  done: t.Integer({ minimum: 0 }),
});
/** One byte range of a blob and how much of it, from its start, is on disk. */
export type PartialPart = Static<typeof PartialPart>;

/** The state file's content. */
export const PartialState = t.Object({
  version: t.Literal(1),
  digest: t.String(),
  size: t.Integer({ minimum: 0 }),
  parts: t.Array(PartialPart),
});
/** The state file's content. */
export type PartialState = Static<typeof PartialState>;

/** A blob's resumable download files. Digests are validated before any path is built. */
export class PartialBlob {
  /** `sha256:<hex>` */
  readonly digest: string;
  /** The data file. */
  readonly dataPath: string;
  /** The state file beside it. */
  readonly statePath: string;

  constructor(
    private readonly blobs: BlobStore,
    digest: string,
  ) {
    this.digest = parseDigest(digest);
    this.dataPath = join(blobs.dir, `${digestToFileName(this.digest)}${PARTIAL_SUFFIX}`);
    this.statePath = join(blobs.dir, `${digestToFileName(this.digest)}${STATE_SUFFIX}`);
  }

  /** The saved state when it belongs to this blob of `size` and the data file is intact; else undefined. */
  async load(size: number): Promise<PartialState | undefined> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(this.statePath, "utf8"));
    } catch {
      return undefined;
    }
    if (!Value.Check(PartialState, raw) || raw.digest !== this.digest || raw.size !== size) return undefined;
    if (!coversExactly(raw.parts, size)) return undefined;
    const data = await stat(this.dataPath).catch(() => undefined);
    return data?.isFile() && data.size === size ? raw : undefined;
  }

  /** Writes the state through a temp file and a rename (no fsync: the digest check catches a power cut). */
  async save(state: PartialState): Promise<void> {
    const tmp = tempPathFor(this.statePath, "partial");
    try {
      await writeFile(tmp, JSON.stringify(state));
      await rename(tmp, this.statePath);
    } catch (err) {
      await rm(tmp, { force: true });
      throw storageError(err, "save a download's state");
    }
  }

  /**
   * Opens the data file for reading and writing at offsets. `fresh` empties it first (a new download, or
   * a foreign partial taken over) and removes Ollama's part files for it, whose claims would no longer hold.
   */
  async open(size: number, fresh: boolean): Promise<FileHandle> {
    await storageOp("create the blob directory", () => mkdir(this.blobs.dir, { recursive: true }));
    if (fresh) {
      await rm(this.statePath, { force: true });
      await this.#removeOllamaParts();
    }
    return storageOp("open a partial download", async () => {
      const fh = await open(this.dataPath, fresh ? "w+" : "r+", 0o644);
      try {
        if (fresh) await fh.truncate(size);
      } catch (err) {
        await fh.close();
        throw err;
      }
      return fh;
    });
  }

  /** Deletes the data and state files (a failed verification, or a full disk). */
  async remove(): Promise<void> {
    await rm(this.dataPath, { force: true });
    await rm(this.statePath, { force: true });
  }

  /** Moves the verified data file into the store under its digest, then drops the state. */
  async commit(size: number): Promise<void> {
    await this.blobs.commitVerified(this.dataPath, this.digest, size);
    await rm(this.statePath, { force: true });
  }

  /** True when `name` in `blobs/` is a tsllm partial's data or state file. */
  static isPartialName(name: string): boolean {
    return PARTIAL_RE.test(name);
  }

  async #removeOllamaParts(): Promise<void> {
    const prefix = `${basename(this.dataPath)}-`;
    for (const name of await this.blobs.entries()) {
      if (name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
        await rm(join(dirname(this.dataPath), name), { force: true });
    }
  }
}

/** True when the parts tile `[0, size)` in order, each done within its size. */
function coversExactly(parts: readonly PartialPart[], size: number): boolean {
  let next = 0;
  for (const p of parts) {
    if (p.offset !== next || p.done > p.size) return false;
    next += p.size;
  }
  return next === size;
}

/**
 * Startup sweep of tsllm partials: removes those whose state is older than `ttlMs` (with their data) and
 * state files whose data is gone. Returns how many files went and the names still kept for a resume (which
 * pruning must leave alone). Foreign partials (no state file) are not touched here.
 */
export async function sweepPartials(
  blobs: BlobStore,
  now: number,
  ttlMs = PARTIAL_TTL_MS,
): Promise<{ removed: number; kept: Set<string> }> {
  const names = new Set(await blobs.entries());
  const kept = new Set<string>();
  let removed = 0;
  for (const name of names) {
    const m = PARTIAL_RE.exec(name);
    if (!m?.[2]) continue;
    const data = `${m[1]}${PARTIAL_SUFFIX}`;
    const info = await stat(join(blobs.dir, name)).catch((err) => {
      if (isErrno(err, "ENOENT")) return undefined;
      throw storageError(err, "read a partial download");
    });
    if (info && names.has(data) && now - info.mtimeMs <= ttlMs) {
      kept.add(name).add(data);
      continue;
    }
    for (const f of [name, data]) {
      if (!names.has(f)) continue;
      await storageOp("remove a stale partial download", () => rm(join(blobs.dir, f), { force: true }));
      removed++;
    }
  }
  return { removed, kept };
}
