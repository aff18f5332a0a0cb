/**
 * One download per blob per store, however many pulls want it (Ollama's blobDownloadManager). Each pull
 * waits with its own progress ticker and its own signal; when the last one stops waiting, the download
 * stops too and its partial file stays for the next pull to resume.
 */
import type { ModelStore } from "../../store/index.ts";
import type { Progress } from "../types.ts";
import { BlobDownload, type DownloadDeps, type DownloadTarget } from "./download.ts";
import { shortDigest } from "../transfer-util.ts";

/** Ollama's progress tick while a blob downloads. */
export const PROGRESS_TICK_MS = 60;

/** A pull waiting for a blob. */
export interface Waiter {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
}

interface Entry {
  readonly download: BlobDownload;
  done: Promise<void>;
  waiters: number;
  settled: boolean;
}

/** The downloads in flight for one store. */
export class Downloads {
  readonly #active = new Map<string, Entry>();

  /** Resolves once `target` is in the store, sharing a download of the same blob already under way. */
  async fetch(deps: DownloadDeps, target: DownloadTarget, waiter: Waiter): Promise<void> {
    waiter.signal?.throwIfAborted();
    for (;;) {
      const entry = this.#active.get(target.digest);
      if (entry === undefined) break;
      if (!entry.download.aborted) return this.#wait(entry, waiter);
      // An abandoned download still holds the partial file: let it close before starting over.
      await entry.done.catch(() => {});
      waiter.signal?.throwIfAborted();
    }
    const download = new BlobDownload(deps, target);
    const entry: Entry = { download, done: Promise.resolve(), waiters: 0, settled: false };
    entry.done = download.run().finally(() => {
      entry.settled = true;
      if (this.#active.get(target.digest) === entry) this.#active.delete(target.digest);
    });
    entry.done.catch(() => {});
    this.#active.set(target.digest, entry);
    return this.#wait(entry, waiter);
  }

  /** Number of downloads in flight (tests). */
  get size(): number {
    return this.#active.size;
  }

  async #wait(entry: Entry, waiter: Waiter): Promise<void> {
    const { download } = entry;
    const tick = () => waiter.onProgress?.(blobProgress(download.digest, download.total, download.completed));
    entry.waiters++;
    const timer = setInterval(tick, PROGRESS_TICK_MS);
    let onAbort: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        entry.done.then(resolve, reject);
        if (!waiter.signal) return;
        const signal = waiter.signal;
        onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        if (signal.aborted) onAbort();
      });
      // Ollama only ticks; one last line makes every downloaded blob end at completed == total.
      tick();
    } finally {
      clearInterval(timer);
      if (onAbort) waiter.signal?.removeEventListener("abort", onAbort);
      entry.waiters--;
      if (entry.waiters === 0 && !entry.settled) {
        download.abort(waiter.signal?.reason);
        // The partial's last state is on disk before the caller hears of the abort (a shutdown may exit then).
        await entry.done.catch(() => {});
      }
    }
  }
}

/** `pulling <hex12>` with digest, total and completed (zero fields left out, as Ollama's omitempty does). */
export function blobProgress(digest: string, total: number, completed: number): Progress {
  return {
    status: `pulling ${shortDigest(digest)}`,
    digest,
    ...(total > 0 ? { total } : {}),
    ...(completed > 0 ? { completed } : {}),
  };
}

const perStore = new WeakMap<ModelStore, Downloads>();

/** The downloads of `store`: keyed by the store so every pull into it shares them, whoever created the deps. */
export function downloadsFor(store: ModelStore): Downloads {
  let d = perStore.get(store);
  if (!d) {
    d = new Downloads();
    perStore.set(store, d);
  }
  return d;
}
