/** WebP → PPM off the event loop: one worker, started on first use, jobs answered by id. */
import { workerEntry } from "../worker-entry.ts";
import { InvalidImageError } from "./vision-errors.ts";
import type { WebpJob, WebpResult } from "./vision-webp-worker.ts";

type Pending = { resolve(ppm: Uint8Array): void; reject(e: Error): void; what: string };

/** Converts WebP files to binary PPM in a worker; a dead worker fails its jobs and is replaced on next use. */
export class WebpConverter {
  #worker: Worker | undefined;
  #next = 1;
  readonly #pending = new Map<number, Pending>();

  /** The PPM (P6) of a WebP file; InvalidImageError (400) naming `what` when libwebp cannot decode it. */
  toPpm(bytes: Uint8Array, what: string): Promise<Uint8Array> {
    const id = this.#next++;
    const worker = this.#start();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, what });
      worker.postMessage({ id, bytes } satisfies WebpJob);
    });
  }

  /** Stops the worker; jobs still pending fail. */
  close(): void {
    this.#fail("the WebP decoder was stopped");
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(
      workerEntry("inference/vision-webp-worker.ts", new URL("./vision-webp-worker.ts", import.meta.url)),
    );
    // An idle decoder must not keep the process alive.
    w.unref();
    w.onmessage = (ev: MessageEvent<WebpResult>) => {
      const job = this.#pending.get(ev.data.id);
      if (!job) return;
      this.#pending.delete(ev.data.id);
      if ("ppm" in ev.data) job.resolve(ev.data.ppm);
      else job.reject(new InvalidImageError(job.what, ev.data.error));
    };
    w.onerror = (ev) => this.#fail(`the WebP decoder failed: ${ev.message}`);
    this.#worker = w;
    return w;
  }

  #fail(message: string): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    for (const job of this.#pending.values()) job.reject(new Error(message));
    this.#pending.clear();
  }
}
