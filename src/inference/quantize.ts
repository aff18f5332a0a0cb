/** A Quantizer that runs each job in a fresh Worker (libllama never loads on the server's main thread). */
import type { BackendOptions } from "../llama/engine/backend.ts";
import { workerEntry } from "../worker-entry.ts";
import type { Quantizer } from "./deps.ts";
import { QuantizeFailedError } from "./errors.ts";
import type { QuantizeJob } from "./quantize-worker.ts";

/** Builds a quantizer for the given libllama choice. */
export function workerQuantizer(backend: BackendOptions): Quantizer {
  return (input, output, type) =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(
        workerEntry("inference/quantize-worker.ts", new URL("./quantize-worker.ts", import.meta.url)),
      );
      const done = (err?: Error) => {
        worker.terminate();
        if (err) reject(err);
        else resolve();
      };
      worker.onmessage = (ev: MessageEvent<{ ok: boolean; message?: string; status?: number }>) =>
        done(
          ev.data.ok
            ? undefined
            : new QuantizeFailedError(ev.data.message ?? "quantization failed", ev.data.status),
        );
      worker.onerror = (ev) => done(new QuantizeFailedError(`quantization worker failed: ${ev.message}`));
      const job: QuantizeJob = { input, output, type, backend };
      worker.postMessage(job);
    });
}
