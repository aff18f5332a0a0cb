/**
 * Resolved models kept between requests. Resolving reads the manifest directory (for the name's casing), the
 * manifest, the config and every small layer, and checks each file layer: a handful of file-system round trips
 * through Bun's thread pool, 1–4 ms of a 1-token generate on a 2-core VM. An entry is reused while nothing
 * changed: no manifest written or removed by this process since (the manifest store's generation), the
 * manifest file itself unchanged (same inode, size and mtime, for writers in other processes) and every file
 * layer still present; one synchronous stat each, a few microseconds.
 */
import { existsSync, statSync } from "node:fs";

/** What an entry was read from. */
interface Entry<T> {
  value: T;
  generation: number;
  manifestPath: string;
  ino: number;
  size: number;
  mtimeMs: number;
  files: readonly string[];
}

/** Entries by the name as requested. */
export class ResolvedCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  static readonly MAX = 256;

  /** The cached value for `name` if nothing it was read from changed, else undefined. */
  get(name: string, generation: number): T | undefined {
    const e = this.#entries.get(name);
    if (!e) return undefined;
    if (e.generation === generation && unchanged(e) && e.files.every((f) => existsSync(f))) return e.value;
    this.#entries.delete(name);
    return undefined;
  }

  /** Keeps `value` for `name`, read at `generation` from `manifestPath`, with its file layers `files`. */
  set(name: string, value: T, generation: number, manifestPath: string, files: readonly string[]): void {
    let s: ReturnType<typeof statSync>;
    try {
      s = statSync(manifestPath);
    } catch {
      return;
    }
    if (this.#entries.size >= ResolvedCache.MAX) this.#entries.clear();
    this.#entries.set(name, {
      value,
      generation,
      manifestPath,
      ino: Number(s.ino),
      size: Number(s.size),
      mtimeMs: Number(s.mtimeMs),
      files,
    });
  }
}

function unchanged(e: Entry<unknown>): boolean {
  try {
    const s = statSync(e.manifestPath);
    return Number(s.ino) === e.ino && Number(s.size) === e.size && Number(s.mtimeMs) === e.mtimeMs;
  } catch {
    return false;
  }
}
