/**
 * One blob's download: resume state loaded (or parts planned), the parts fetched (workers.ts), the sha256
 * taken over the prefix as it completes, and the verified file committed into the store under its digest.
 * Nothing is ever stored under a digest it does not hash to.
 */
import type { Logger } from "../../log.ts";
import { isDiskFull, type ModelStore, PartialBlob, type PartialState } from "../../store/index.ts";
import type { Credentials, RegistryClient, RegistryRef } from "../types.ts";
import { Checkpoint } from "./checkpoint.ts";
import { Flusher } from "./flusher.ts";
import { BlobDigestMismatchError, BlobSizeMismatchError } from "./errors.ts";
import { bytesDone, DEFAULT_PART_SIZES, type PartSizes, PrefixCursor, planParts } from "./plan.ts";
import { BlobSource } from "./source.ts";
import { PrefixHasher } from "./hasher.ts";
import { hashWorkers, WorkerPrefixHasher } from "./worker-hasher.ts";
import { shortDigest } from "../transfer-util.ts";
import { TransferWorker, transferWorkers } from "./transfer.ts";
import { FIRST_BYTES } from "./worker-part.ts";
import { fetchParts } from "./workers.ts";

/** Blobs from this size up are hashed on a worker. */
const HASH_WORKER_MIN = 8 << 20;

/**
 * Starts the pooled workers that downloads of blobs of these sizes will take (a pull calls it once it knows
 * what it fetches), so they start while the pull gets ready; tests that bring their own transfer worker skip it.
 */
export function prewarmWorkers(sizes: readonly number[], deps: Pick<DownloadDeps, "spawnTransfer">): void {
  if (deps.spawnTransfer) return;
  if (sizes.some((n) => n > FIRST_BYTES)) transferWorkers.prewarm();
  if (sizes.some((n) => n >= HASH_WORKER_MIN)) hashWorkers.prewarm();
}

/** What a download needs. */
export interface DownloadDeps {
  readonly store: ModelStore;
  readonly client: RegistryClient;
  readonly logger: Logger;
  /** Parallel Range requests (TSLLM_DOWNLOAD_PARTS). */
  readonly parts: number;
  /** A part that moves no byte this long is aborted and retried (TSLLM_DOWNLOAD_STALL). */
  readonly stallMs: number;
  readonly partSizes?: PartSizes;
  /** First retry delay; doubled per failed attempt (Ollama: 1 s, 2 s, 4 s …). */
  readonly retryDelayMs?: number;
  /** Starts the download's transfer worker (tests); where it cannot start, bodies are read on this thread. */
  readonly spawnTransfer?: () => Worker;
  /** A proxy is configured: the transfer worker makes its requests with fetch (which honours it). */
  readonly proxied?: boolean;
  /** Plain-http bodies go from socket to file through splice (true when unset; Linux only). */
  readonly splice?: boolean;
}

/** The blob to fetch and the pull that asked first (its repository and credentials are used). */
export interface DownloadTarget {
  readonly ref: RegistryRef;
  readonly digest: string;
  readonly size: number;
  readonly credentials?: Credentials;
}

/** A download in progress; `run` resolves once the blob is in the store. */
export class BlobDownload {
  readonly digest: string;
  readonly total: number;
  #completed = 0;
  readonly #abort = new AbortController();

  constructor(
    private readonly deps: DownloadDeps,
    private readonly target: DownloadTarget,
  ) {
    this.digest = target.digest;
    this.total = target.size;
  }

  /** Bytes of the blob on disk (resumed ones included). */
  get completed(): number {
    return this.#completed;
  }

  /** True once abort was called. */
  get aborted(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Stops the transfer; the partial download stays for a resume. */
  abort(reason: unknown): void {
    this.#abort.abort(reason);
  }

  /** Fetches, verifies and commits the blob. */
  async run(): Promise<void> {
    const { store } = this.deps;
    const partial = new PartialBlob(store.blobs, this.digest);
    const saved = await partial.load(this.total);
    const parts =
      saved?.parts ?? planParts(this.total, this.deps.parts, this.deps.partSizes ?? DEFAULT_PART_SIZES);
    const state: PartialState = { version: 1, digest: this.digest, size: this.total, parts };
    const fh = await partial.open(this.total, saved === undefined);
    // A small blob is hashed on this thread: starting a worker would cost more than the hashing.
    const hasher =
      this.total < HASH_WORKER_MIN
        ? new PrefixHasher(fh, this.total)
        : new WorkerPrefixHasher(fh, partial.dataPath, this.total);
    const prefix = new PrefixCursor(parts);
    const checkpoint = new Checkpoint(partial, state);
    const flusher = new Flusher(fh);
    const transfers = new TransferWorker(
      partial.dataPath,
      this.deps.spawnTransfer,
      this.deps.proxied ?? false,
      this.deps.splice ?? true,
    );
    // A blob the client's first request cannot hold needs the worker: it starts while that request runs.
    if (this.total > FIRST_BYTES) transfers.warm();
    try {
      if (saved === undefined) await partial.save(state);
      this.#completed = bytesDone(parts);
      if (saved)
        this.deps.logger.info("resuming download", {
          digest: shortDigest(this.digest),
          done: this.#completed,
        });
      hasher.advance(prefix.end());
      const source = new BlobSource(
        this.deps.client,
        this.target.ref,
        this.digest,
        this.total,
        this.deps.logger,
        this.target.credentials,
      );
      await fetchParts({
        digest: this.digest,
        source,
        fh,
        parts,
        transfers,
        parallel: this.deps.parts,
        stallMs: this.deps.stallMs,
        retryDelayMs: this.deps.retryDelayMs ?? 1000,
        logger: this.deps.logger,
        signal: this.#abort.signal,
        onWritten: (n) => {
          this.#completed += n;
          checkpoint.note(n);
          flusher.note(n);
          hasher.advance(prefix.end());
        },
      });
      await transfers.close();
      await checkpoint.stop();
      const [got] = await Promise.all([hasher.digest(), flusher.finish()]);
      if (got !== this.digest) throw new BlobDigestMismatchError(this.digest, got);
    } catch (err) {
      await transfers.close();
      await hasher.stop();
      await flusher.settle();
      // Kept for the next pull to resume, unless it holds nothing, cannot be right (wrong bytes, or the
      // registry's blob is not the manifest's size) or a full disk makes it a liability.
      const discard =
        bytesDone(parts) === 0 ||
        err instanceof BlobDigestMismatchError ||
        err instanceof BlobSizeMismatchError ||
        isDiskFull(err);
      if (discard) await checkpoint.stop();
      else await checkpoint.flush().catch(() => {});
      await fh.close().catch(() => {});
      if (discard) await partial.remove();
      throw err;
    }
    await fh.close();
    await partial.commit(this.total);
  }
}
