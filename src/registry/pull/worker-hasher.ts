/**
 * The prefix sha256 of a download taken on a Worker (hash-worker.ts): the server's thread only posts how far
 * the prefix on disk reaches, and the worker reads those bytes back and hashes them. Hashing on the event
 * loop's thread cost the transfer about a fifth of its throughput and delayed every other request.
 * If the worker cannot run (it fails to start or dies), the in-thread PrefixHasher takes over from byte 0.
 */
import type { FileHandle } from "node:fs/promises";
import { StorageError } from "../../store/index.ts";
import { workerEntry } from "../../worker-entry.ts";
import type { FromHasher, ToHasher } from "./hash-worker.ts";
import { PrefixHasher } from "./hasher.ts";
import { WorkerPool, type WorkerSource, workerSource } from "./worker-pool.ts";

/** Prefix ends are posted once they moved this far (or reach the end): fewer messages, same lag. */
const POST_EVERY = 4 << 20;

/** What both hashers offer. */
export interface BlobHasher {
  /** The bytes `[0, end)` are final on disk. */
  advance(end: number): void;
  /** `sha256:<hex>` of the whole file; call once every byte is on disk. */
  digest(): Promise<string>;
  /** Stops hashing (the download was abandoned). */
  stop(): Promise<void>;
}

/** Hashes `[0, size)` of the file at `path` on a Worker as its prefix becomes final. */
export class WorkerPrefixHasher implements BlobHasher {
  #worker: Worker | undefined;
  #fallback: PrefixHasher | undefined;
  #target = 0;
  #posted = 0;
  #error: unknown;
  #digest: PromiseWithResolvers<string> | undefined;
  #stopped: PromiseWithResolvers<void> | undefined;

  readonly #source: WorkerSource;

  /** Hashes on `spawn`'s worker (tests), else on one from the pool, given back once it answered cleanly. */
  constructor(
    private readonly fh: FileHandle,
    path: string,
    private readonly size: number,
    spawn?: () => Worker,
  ) {
    // A worker that exits without a word (killed, out of memory) must not leave digest() waiting forever.
    this.#source = workerSource(hashWorkers, spawn, () => this.#takeOver());
    try {
      const worker = this.#source.take();
      worker.onmessage = (ev: MessageEvent<FromHasher>) => this.#onMessage(ev.data);
      worker.onerror = () => this.#takeOver();
      // A pending hash never keeps the process alive on its own.
      worker.unref();
      this.#worker = worker;
      this.#post({ kind: "open", path, size });
    } catch {
      this.#takeOver();
    }
  }

  advance(end: number): void {
    if (end > this.#target) this.#target = Math.min(end, this.size);
    if (this.#fallback) return this.#fallback.advance(this.#target);
    if (this.#target - this.#posted >= POST_EVERY || this.#target === this.size) {
      this.#posted = this.#target;
      this.#post({ kind: "advance", end: this.#target });
    }
  }

  async digest(): Promise<string> {
    if (this.#error === undefined && !this.#fallback) {
      this.#digest ??= Promise.withResolvers<string>();
      this.#post({ kind: "digest" });
      try {
        return await this.#digest.promise;
      } catch (err) {
        if (!this.#fallback) throw err;
      }
    }
    if (this.#fallback) return this.#fallback.digest();
    throw this.#error;
  }

  async stop(): Promise<void> {
    if (this.#fallback) return this.#fallback.stop();
    const worker = this.#worker;
    if (!worker) return;
    // The worker closes its descriptor first; terminating it mid-read would leak it.
    this.#stopped ??= Promise.withResolvers<void>();
    this.#post({ kind: "stop" });
    await this.#stopped.promise;
  }

  #post(m: ToHasher): void {
    try {
      this.#worker?.postMessage(m);
    } catch {
      this.#takeOver();
    }
  }

  #onMessage(m: FromHasher): void {
    if (m.kind === "digest") {
      const whole = m.hashed === this.size;
      this.#end(whole);
      if (!whole)
        this.#digest?.reject(new StorageError("partial download ended before it was hashed", "EIO"));
      else this.#digest?.resolve(`sha256:${m.hex}`);
    } else if (m.kind === "error") {
      this.#end(false);
      this.#error = new StorageError(`cannot read back a partial download: ${m.message}`, m.code ?? "EIO");
      this.#digest?.reject(this.#error);
    } else this.#end(true);
  }

  /** The worker is done: back to the pool when it answered cleanly, else ended; whoever waits is released. */
  #end(clean: boolean): void {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) this.#source.release(worker, clean);
    this.#stopped?.resolve();
  }

  /** The worker is gone without an answer: hash on this thread from byte 0 up to what is final. */
  #takeOver(): void {
    if (this.#fallback || this.#error !== undefined) return;
    this.#end(false);
    this.#fallback = new PrefixHasher(this.fh, this.size);
    this.#fallback.advance(this.#target);
    this.#digest?.reject(new Error("hash worker gone"));
  }
}

/** Hash workers kept between downloads (worker-pool.ts); their threads show as `tsllm-hash`. */
export const hashWorkers = new WorkerPool(
  () =>
    new Worker(workerEntry("registry/pull/hash-worker.ts", new URL("./hash-worker.ts", import.meta.url)), {
      name: "tsllm-hash",
    }),
);
