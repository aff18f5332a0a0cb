/**
 * The server's side of a download's transfer worker (transfer-worker.ts): requests are started there, their
 * answer comes back here to be checked, and only then is the body written into the parts, off this thread.
 * Parts' `done` grow here as the worker reports bytes written, so the saved state never claims bytes that are
 * not on disk. A worker that fails or dies fails its requests with TransferWorkerError.
 */
import { TsllmError } from "../../errors.ts";
import type { PartialPart } from "../../store/index.ts";
import { StorageError, storageError } from "../../store/index.ts";
import { workerEntry } from "../../worker-entry.ts";
import { PartStalledError, TruncatedBodyError } from "./errors.ts";
import { RetryableError } from "./source.ts";
import { WorkerPool, type WorkerSource, workerSource } from "./worker-pool.ts";
import type { FromTransfer, Route, ToTransfer, TransferFailure } from "./transfer-worker.ts";

/** The download's transfer worker stopped working: the pull fails (its partial download is kept). */
export class TransferWorkerError extends TsllmError {
  constructor(why: string) {
    super(`download worker failed: ${why}`, { code: "download_worker", fault: true, status: 500 });
  }
}

/** The worker could not be started (the download reads on the server's thread instead). */
export class WorkerStartError extends Error {}

/** A request's answer, as the worker saw it (headers lower-cased). */
export interface WorkerAnswer {
  /** How the worker made the request. */
  readonly route: Route;
  readonly status: number;
  readonly url: string;
  readonly headers: Record<string, string>;
}

interface Pending {
  answer?: PromiseWithResolvers<WorkerAnswer>;
  done?: PromiseWithResolvers<void>;
  parts?: PartialPart[];
  onWritten?: (n: number) => void;
  stallMs: number;
}

/** Request ids: unique in the process, so a pooled worker's late word about an old request matches none. */
let nextId = 0;

/** Transfer workers kept between downloads (worker-pool.ts). */
export const transferWorkers = new WorkerPool(() => defaultSpawn());

/** One worker writing into one partial file; requests run on it concurrently. */
export class TransferWorker {
  #worker: Worker | undefined;
  #failed: TransferWorkerError | undefined;
  #closed: PromiseWithResolvers<void> | undefined;
  readonly #pending = new Map<number, Pending>();

  #started = false;
  #startError: WorkerStartError | undefined;

  readonly #source: WorkerSource;

  /**
   * The worker starts on the first request (a blob small enough for the client's first request needs none):
   * `spawn`'s (tests), else one from the pool, given back after a clean close.
   */
  constructor(
    private readonly path: string,
    spawn?: () => Worker,
    private readonly proxied = false,
    private readonly splice = true,
  ) {
    this.#source = workerSource(transferWorkers, spawn, () => this.#fail("exited"));
  }

  /**
   * Starts the worker now, ahead of the first request (a download that will need it overlaps the start with
   * its first answer); a worker that cannot start is reported by that request, as before.
   */
  warm(): void {
    try {
      this.#start();
    } catch {
      // get() reports it.
    }
  }

  #start(): void {
    if (this.#startError) throw this.#startError;
    if (this.#started) return;
    this.#started = true;
    let worker: Worker;
    try {
      worker = this.#source.take();
    } catch (err) {
      this.#startError = new WorkerStartError(err instanceof Error ? err.message : String(err));
      throw this.#startError;
    }
    // A transfer under way keeps the process alive (a pooled worker waits unref'd).
    worker.ref();
    worker.onmessage = (ev: MessageEvent<FromTransfer>) => this.#onMessage(ev.data);
    worker.onerror = (ev) => this.#fail(errorText(ev));
    this.#worker = worker;
    this.#post({ kind: "open", path: this.path, proxied: this.proxied, splice: this.splice });
  }

  /** Sends a GET for `url` from the worker; resolves with its answer once the headers arrive. */
  async get(
    url: string,
    headers: Record<string, string>,
    stallMs: number,
    signal: AbortSignal,
  ): Promise<WorkerRequest> {
    if (this.#failed) throw this.#failed;
    this.#start();
    const id = nextId++;
    const entry: Pending = { answer: Promise.withResolvers<WorkerAnswer>(), stallMs };
    this.#pending.set(id, entry);
    this.#post({ kind: "get", id, url, headers, stallMs });
    const request = new WorkerRequest(this, id);
    const answer = await this.#watch(id, entry.answer as PromiseWithResolvers<WorkerAnswer>, signal);
    request.answer = answer;
    return request;
  }

  /** Writes the body of request `id` (its first byte at blob offset `start`) into the holes of `parts`. */
  fill(
    id: number,
    start: number,
    parts: PartialPart[],
    signal: AbortSignal,
    onWritten: (n: number) => void,
  ): Promise<void> {
    const entry = this.#pending.get(id);
    if (!entry) return Promise.reject(this.#failed ?? new TransferWorkerError("request already ended"));
    entry.done = Promise.withResolvers<void>();
    entry.parts = parts;
    entry.onWritten = onWritten;
    const spans = parts.map((p) => ({ offset: p.offset, size: p.size, done: p.done }));
    this.#post({ kind: "fill", id, start, parts: spans });
    return this.#watch(id, entry.done, signal);
  }

  /** Ends request `id` early (its body is cancelled; bytes it already read are still written and credited). */
  drop(id: number): void {
    if (this.#pending.has(id)) this.#post({ kind: "drop", id });
  }

  /** Stops every request, closes the file, ends the worker. */
  async close(): Promise<void> {
    if (!this.#worker) return;
    this.#closed = Promise.withResolvers<void>();
    this.#post({ kind: "close" });
    await this.#closed.promise;
  }

  /** Waits for `p`; an abort drops the request and rejects once the worker confirms its writes are done. */
  async #watch<T>(id: number, p: PromiseWithResolvers<T>, signal: AbortSignal): Promise<T> {
    const onAbort = () => this.drop(id);
    signal.addEventListener("abort", onAbort, { once: true });
    if (signal.aborted) onAbort();
    try {
      const value = await p.promise;
      // A drop ends a request quietly: it must not pass for one that filled its parts.
      signal.throwIfAborted();
      return value;
    } catch (err) {
      throw signal.aborted ? signal.reason : err;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  #post(m: ToTransfer): void {
    if (this.#failed) return;
    try {
      this.#worker?.postMessage(m);
    } catch (err) {
      this.#fail(err instanceof Error ? err.message : String(err));
    }
  }

  #onMessage(m: FromTransfer): void {
    if (m.kind === "closed") return this.#end(true);
    const entry = this.#pending.get(m.id);
    if (!entry) return;
    if (m.kind === "answer") return entry.answer?.resolve(m);
    if (m.kind === "written") {
      for (const [i, n] of m.credits) {
        (entry.parts?.[i] as PartialPart).done += n;
        entry.onWritten?.(n);
      }
      return;
    }
    this.#pending.delete(m.id);
    const err =
      m.kind === "fail"
        ? toError(m.error, entry.stallMs)
        : m.truncated
          ? new TruncatedBodyError(m.truncated.got, m.truncated.wanted)
          : undefined;
    // A request dropped before its answer or fill rejects with whatever the caller aborted with.
    entry.answer?.reject(err ?? new RetryableError("request dropped"));
    if (err) entry.done?.reject(err);
    else entry.done?.resolve();
  }

  /** Lets the worker go: back to the pool after a clean close, else ended. */
  #end(clean: boolean): void {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) this.#source.release(worker, clean);
    this.#closed?.resolve();
  }

  #fail(why: string): void {
    if (!this.#worker) return;
    this.#failed ??= new TransferWorkerError(why);
    for (const entry of this.#pending.values()) {
      entry.answer?.reject(this.#failed);
      entry.done?.reject(this.#failed);
    }
    this.#pending.clear();
    this.#end(false);
  }
}

/** A request started on the worker whose answer has arrived. */
export class WorkerRequest {
  /** Status, final URL and headers. */
  answer!: WorkerAnswer;

  constructor(
    private readonly owner: TransferWorker,
    private readonly id: number,
  ) {}

  /** Writes the body into `parts` (see TransferWorker.fill). */
  fill(
    start: number,
    parts: PartialPart[],
    signal: AbortSignal,
    onWritten: (n: number) => void,
  ): Promise<void> {
    return this.owner.fill(this.id, start, parts, signal, onWritten);
  }

  /** Cancels the body unread. */
  drop(): void {
    this.owner.drop(this.id);
  }
}

/** The worker's failure as the error pull's retry logic sorts: stalls and network trouble are retried. */
function toError(f: TransferFailure, stallMs: number): Error {
  if (f.type === "stalled") return new PartStalledError(stallMs);
  if (f.type === "bad-body") return new RetryableError(f.message);
  if (f.type === "storage") {
    // Worded as every other store failure (a DiskFullError, 507, for ENOSPC), without the path.
    const typed = storageError(
      Object.assign(new Error(f.message), { code: f.code }),
      "write a partial download",
    );
    return typed instanceof TsllmError ? typed : new StorageError("cannot write a partial download", "EIO");
  }
  return new RetryableError(f.message);
}

/** The message of an error thrown inside the worker (the event's own text adds a source excerpt). */
function errorText(ev: ErrorEvent): string {
  const err: unknown = ev.error;
  if (err instanceof Error) return err.message;
  return /^error: (.*)$/m.exec(ev.message)?.[1] ?? (ev.message || "uncaught error");
}

/** Named, so its thread shows as `tsllm-transfer` in top -H and /proc. */
const defaultSpawn = () =>
  new Worker(
    workerEntry("registry/pull/transfer-worker.ts", new URL("./transfer-worker.ts", import.meta.url)),
    { name: "tsllm-transfer" },
  );
