/** A loaded model: weights (or just the vocabulary), metadata and hyper-parameters. */
import { addressOf, cstr, type Ptr, readCString } from "../ffi/memory.ts";
import { native } from "../ffi/native.ts";
import { ModelParams, StructView } from "../ffi/structs.ts";
import type { SharedCell } from "../ffi/memory.ts";
import { DisposedError, ModelLoadError } from "./errors.ts";
import { Vocab } from "./vocab.ts";
import { drainNativeLog } from "./backend.ts";

/** How to load a model. */
export interface ModelLoadOptions {
  /** Layers to offload to GPUs; -1 = all. */
  nGpuLayers?: number;
  mainGpu?: number;
  useMmap?: boolean;
  useMlock?: boolean;
  vocabOnly?: boolean;
  /** Simulate allocations only (memory fitting); implies no mmap. */
  noAlloc?: boolean;
  /** Shared cell receiving load progress; set its flag to abort the load. */
  progress?: SharedCell;
}

const LOAD_MODE = { none: 0, mmap: 1, mlock: 2, mmapMlock: 3 } as const;

/** Owner of one llama_model handle. */
export class Model {
  #ptr: Ptr | null;
  readonly vocab: Vocab;
  readonly path: string;
  /** Native log text produced while loading (device placement, buffer sizes). */
  readonly loadLog: string;

  private constructor(p: Ptr, path: string, loadLog: string) {
    this.#ptr = p;
    this.path = path;
    this.loadLog = loadLog;
    this.vocab = new Vocab(native().llama.llama_model_get_vocab(p) as Ptr);
  }

  /** Loads a GGUF file; a failure throws ModelLoadError with llama.cpp's own reason. */
  static load(path: string, opts: ModelLoadOptions = {}): Model {
    const { shim } = native();
    const params = new StructView(ModelParams);
    shim.tsllm_model_default_params(addressOf(params.bytes));
    params.set("n_gpu_layers", opts.nGpuLayers ?? -1).set("main_gpu", opts.mainGpu ?? 0);
    const mmap = !opts.noAlloc && (opts.useMmap ?? true);
    const mode = mmap
      ? opts.useMlock
        ? LOAD_MODE.mmapMlock
        : LOAD_MODE.mmap
      : opts.useMlock
        ? LOAD_MODE.mlock
        : LOAD_MODE.none;
    params.set("load_mode", mode).set("vocab_only", !!opts.vocabOnly).set("no_alloc", !!opts.noAlloc);
    if (opts.progress) {
      params.set("progress_callback", shim.tsllm_progress_callback() as number);
      params.set("progress_callback_user_data", opts.progress.address);
    }
    drainNativeLog();
    const p = shim.tsllm_model_load(cstr(path), addressOf(params.bytes));
    const log = drainNativeLog();
    if (!p) {
      if (opts.progress?.flag) throw new ModelLoadError(`loading ${path} was cancelled`);
      throw new ModelLoadError(`failed to load model ${path}: ${lastError(log)}`);
    }
    return new Model(p, path, log);
  }

  /** @internal the native handle, for engine objects only. */
  get handle(): Ptr {
    if (!this.#ptr) throw new DisposedError("Model");
    return this.#ptr;
  }

  get nCtxTrain(): number {
    return native().llama.llama_model_n_ctx_train(this.handle);
  }
  get nEmbd(): number {
    return native().llama.llama_model_n_embd(this.handle);
  }
  get nLayer(): number {
    return native().llama.llama_model_n_layer(this.handle);
  }
  get nHead(): number {
    return native().llama.llama_model_n_head(this.handle);
  }
  get nHeadKv(): number {
    return native().llama.llama_model_n_head_kv(this.handle);
  }
  /** Bytes of all weights. */
  get size(): number {
    return Number(native().llama.llama_model_size(this.handle));
  }
  get nParams(): number {
    return Number(native().llama.llama_model_n_params(this.handle));
  }
  get hasEncoder(): boolean {
    return native().llama.llama_model_has_encoder(this.handle);
  }
  get hasDecoder(): boolean {
    return native().llama.llama_model_has_decoder(this.handle);
  }

  /** llama.cpp's one-line description, e.g. "llama 1B Q4_0". */
  describe(): string {
    return readString((b, n) => native().llama.llama_model_desc(this.handle, b, n)) ?? "";
  }

  /** Every GGUF metadata key/value as llama.cpp renders it (arrays are summarised by llama.cpp). */
  metadata(): Record<string, string> {
    const { llama } = native();
    const out: Record<string, string> = {};
    const count = llama.llama_model_meta_count(this.handle);
    for (let i = 0; i < count; i++) {
      const key = readString((b, n) => llama.llama_model_meta_key_by_index(this.handle, i, b, n)) ?? "";
      out[key] = readString((b, n) => llama.llama_model_meta_val_str_by_index(this.handle, i, b, n)) ?? "";
    }
    return out;
  }

  /** One metadata value, or null. */
  meta(key: string): string | null {
    const { llama } = native();
    const k = cstr(key);
    return readString((b, n) => llama.llama_model_meta_val_str(this.handle, k, b, n));
  }

  /** The GGUF's default chat template (tokenizer.chat_template), or null. */
  chatTemplate(): string | null {
    return readCString(native().llama.llama_model_chat_template(this.handle, null) as Ptr | null);
  }

  /** Frees the model. Idempotent; dispose contexts first. */
  dispose(): void {
    if (this.#ptr) native().llama.llama_model_free(this.#ptr);
    this.#ptr = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Calls a llama.h getter that writes a string into a caller buffer and returns its full length (snprintf
 * style; negative when absent): once with 256 bytes, again with room for the whole string.
 */
function readString(call: (buf: Ptr, n: number) => number): string | null {
  let buf = new Uint8Array(256);
  let n = call(addressOf(buf), buf.length);
  if (n >= buf.length) {
    buf = new Uint8Array(n + 1);
    n = call(addressOf(buf), buf.length);
  }
  return n < 0 ? null : Buffer.from(buf.subarray(0, n)).toString("utf8");
}

/** The most telling line of a native log (the last error), for one-line messages. */
export function lastError(log: string): string {
  const lines = log
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const err = [...lines].reverse().find((l) => /error|failed|invalid|exception/i.test(l));
  return err ?? lines.at(-1) ?? "unknown error";
}
