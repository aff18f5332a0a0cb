import { createHash } from "node:crypto";
import { readdir, readFile, rm, rmdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { TEMP_PREFIX, writeFileAtomic } from "./atomic.ts";
import { CorruptManifestError } from "./errors.ts";
import { isErrno, storageError, storageOp } from "./fs-errors.ts";
import { MediaType } from "./media.ts";
import { formatName, type ModelName, nameFromSegments, nameSegments } from "./names.ts";
import { type Layer, Manifest } from "./schema.ts";

/** A manifest read from disk with what /api/tags reports about the file. */
export interface StoredManifest {
  readonly name: ModelName;
  readonly manifest: Manifest;
  /** Hex sha256 of the manifest file bytes (no `sha256:` prefix), as /api/tags shows it. */
  readonly digest: string;
  readonly modifiedAt: Date;
  readonly bytes: Uint8Array;
}

/** Manifest files under `<root>/manifests/<host>/<namespace>/<model>/<tag>`. */
export class ManifestStore {
  /** The `manifests/` directory. */
  readonly dir: string;
  /** Bumped by every manifest this process writes or removes (see ResolvedCache). */
  generation = 0;

  constructor(root: string) {
    this.dir = join(root, "manifests");
  }

  /** File path of a name's manifest. */
  path(name: ModelName): string {
    return join(this.dir, ...nameSegments(name));
  }

  /** The on-disk spelling of `name` when one matches case-insensitively, else `name` itself. */
  async existingName(name: ModelName): Promise<ModelName> {
    const segs = nameSegments(name);
    let dir = this.dir;
    const found: string[] = [];
    for (const seg of segs) {
      const entries = await readdir(dir).catch(() => [] as string[]);
      const hit = entries.includes(seg) ? seg : entries.find((e) => e.toLowerCase() === seg.toLowerCase());
      if (hit === undefined) return name;
      found.push(hit);
      dir = join(dir, hit);
    }
    return nameFromSegments(found) ?? name;
  }

  /** Reads and validates a manifest; undefined when the file does not exist. */
  async read(name: ModelName): Promise<StoredManifest | undefined> {
    const path = this.path(name);
    let bytes: Uint8Array;
    let mtime: Date;
    try {
      [bytes, mtime] = await Promise.all([readFile(path), stat(path).then((s) => s.mtime)]);
    } catch (err) {
      if (isErrno(err, "ENOENT", "EISDIR", "ENOTDIR")) return undefined;
      throw storageError(err, "read a manifest");
    }
    return {
      name,
      manifest: decodeManifest(bytes, formatName(name)),
      digest: sha256Hex(bytes),
      modifiedAt: mtime,
      bytes,
    };
  }

  /** Writes compact JSON plus a newline (Go's json.Encoder form) atomically. */
  async write(name: ModelName, config: Layer, layers: readonly Layer[]): Promise<void> {
    const m: Manifest = { schemaVersion: 2, mediaType: MediaType.manifest, config, layers: [...layers] };
    await this.writeRaw(name, `${JSON.stringify(m)}\n`);
  }

  /** Writes manifest bytes verbatim (copy, pull) atomically. */
  async writeRaw(name: ModelName, bytes: string | Uint8Array): Promise<void> {
    this.generation++;
    try {
      await writeFileAtomic(this.path(name), bytes);
    } finally {
      this.generation++;
    }
  }

  /** Removes a manifest and then every empty directory left under `manifests/`. */
  async remove(name: ModelName): Promise<void> {
    this.generation++;
    await storageOp("remove a manifest", () => unlink(this.path(name)));
    this.generation++;
    await this.pruneEmptyDirs();
  }

  /** Removes every empty directory left under `manifests/` (after a delete, or a crash). */
  async pruneEmptyDirs(): Promise<void> {
    await pruneEmptyDirs(this.dir, false);
  }

  /** Every manifest, with the names of those that cannot be parsed set apart (prune must not run then). */
  async scan(): Promise<{ manifests: StoredManifest[]; corrupt: string[] }> {
    const manifests: StoredManifest[] = [];
    const corrupt: string[] = [];
    for (const segs of await walk(this.dir, 4)) {
      const name = nameFromSegments(segs);
      if (!name) continue;
      try {
        const m = await this.read(name);
        if (m) manifests.push(m);
      } catch (err) {
        if (!(err instanceof CorruptManifestError)) throw err;
        corrupt.push(formatName(name));
      }
    }
    return { manifests, corrupt };
  }

  /** Deletes temp files a crash left at any depth under `manifests/`; returns how many. */
  async removeTemps(): Promise<number> {
    return removeTemps(this.dir);
  }

  /** Every parseable manifest at depth four; invalid names are skipped, corrupt files throw. */
  async list(): Promise<StoredManifest[]> {
    const out: StoredManifest[] = [];
    for (const segs of await walk(this.dir, 4)) {
      const name = nameFromSegments(segs);
      if (!name) continue;
      const m = await this.read(name);
      if (m) out.push(m);
    }
    return out;
  }
}

/** Every digest (config and layers) a manifest references. */
export function referencedDigests(m: Manifest): string[] {
  return [m.config, ...m.layers].map((l) => l.digest).filter((d) => d !== "");
}

/** Parses manifest bytes; errors name the model (`what`), never the file's path. */
function decodeManifest(bytes: Uint8Array, what: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new CorruptManifestError(what, err);
  }
  if (!Value.Check(Manifest, raw)) throw new CorruptManifestError(what);
  return raw;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function walk(dir: string, depth: number, prefix: string[] = []): Promise<string[][]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[][] = [];
  for (const e of entries) {
    if (e.name.startsWith(TEMP_PREFIX)) continue;
    const segs = [...prefix, e.name];
    if (depth === 1) {
      if (e.isFile()) out.push(segs);
    } else if (e.isDirectory()) {
      out.push(...(await walk(join(dir, e.name), depth - 1, segs)));
    }
  }
  return out;
}

/** Removes empty directories below `dir` (and `dir` itself when `self`); returns whether `dir` is now gone. */
async function pruneEmptyDirs(dir: string, self: boolean): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
  if (entries === null) return true;
  let left = entries.length;
  for (const e of entries) {
    if (e.isDirectory() && (await pruneEmptyDirs(join(dir, e.name), true))) left--;
  }
  if (!self || left > 0) return false;
  try {
    await rmdir(dir);
    return true;
  } catch {
    return false;
  }
}

async function removeTemps(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let n = 0;
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) n += await removeTemps(path);
    else if (e.name.startsWith(TEMP_PREFIX)) {
      await storageOp("remove a temp file", () => rm(path, { force: true }));
      n++;
    }
  }
  return n;
}
