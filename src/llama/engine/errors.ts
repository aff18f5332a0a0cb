import { TsllmError } from "../../errors.ts";

/** A model file could not be loaded by libllama (corrupt, truncated, unsupported, out of memory). */
export class ModelLoadError extends TsllmError {
  constructor(message: string) {
    super(message, { code: "model_load", status: 500 });
  }
}

/** llama_decode found no KV-cache cells for the batch (return code 1). */
export class KvCacheFullError extends TsllmError {
  constructor() {
    super("no space left in the KV cache for this batch", { code: "kv_cache_full", status: 500 });
  }
}

/** llama_decode was aborted through the abort callback (return code 2). */
export class DecodeAbortedError extends TsllmError {
  constructor() {
    super("decode aborted", { code: "decode_aborted", status: 499 });
  }
}

/** Any other llama_decode/encode failure. */
export class DecodeError extends TsllmError {
  constructor(rc: number, what = "llama_decode") {
    super(`${what} failed with code ${rc}`, { code: "decode_failed", status: 500 });
  }
}

/** An engine object was used after dispose(). */
export class DisposedError extends TsllmError {
  constructor(what: string) {
    super(`${what} used after dispose`, { code: "disposed", status: 500 });
  }
}

/**
 * A token id outside the vocabulary (400): libllama would index past its tables and abort. Serve raises it
 * too, from the GGUF's vocabulary size, before a runner sees the id.
 */
export class TokenOutOfRangeError extends TsllmError {
  constructor(id: number | string, nVocab: number) {
    super(`token id ${id} is out of range (vocabulary has ${nVocab} tokens)`, {
      code: "invalid_token",
      status: 400,
    });
  }
}
