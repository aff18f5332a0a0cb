/**
 * Worker body for quantization: loads libllama in this thread only and runs llama_model_quantize. The
 * server's main thread never loads libllama; the Worker is terminated after each job.
 */
import { TsllmError } from "../errors.ts";
import { type BackendOptions, initBackend } from "../llama/engine/backend.ts";
import { quantizeModel } from "../llama/engine/quantize.ts";

declare const self: Worker;

/** A job posted by quantize.ts. */
export interface QuantizeJob {
  input: string;
  output: string;
  type: string;
  backend: BackendOptions;
}

self.onmessage = (ev: MessageEvent<QuantizeJob>) => {
  const { input, output, type, backend } = ev.data;
  try {
    initBackend(backend);
    quantizeModel(input, output, type);
    self.postMessage({ ok: true });
  } catch (e) {
    const status = e instanceof TsllmError ? e.status : 500;
    self.postMessage({ ok: false, message: (e as Error).message ?? String(e), status });
  }
};
