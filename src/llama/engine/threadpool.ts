/**
 * A persistent ggml CPU threadpool attached to a context. Without one, ggml starts and joins its worker
 * threads on every graph compute — once per generated token — which costs throughput and adds jitter.
 * llama-bench and llama-server attach one the same way (polling level 50).
 */
import { CFunction } from "bun:ffi";
import { addressOf, cstr, type Ptr } from "../ffi/memory.ts";
import { native } from "../ffi/native.ts";
import { StructView, ThreadpoolParams } from "../ffi/structs.ts";
import { siblingSymbols } from "../ffi/loaded-library.ts";
import { cpuBackendExtraSymbols, cpuBackendSymbols } from "../ffi/symbols.ts";
import { LlamaCallError } from "../ffi/errors.ts";

type Fn = (...args: unknown[]) => unknown;
let fns: { create: Fn; free: Fn; pause: Fn | null } | null = null;

function cpuFns(): { create: Fn; free: Fn; pause: Fn | null } {
  if (fns) return fns;
  const { ggml, ggmlBase } = native();
  const reg = ggml.ggml_backend_reg_by_name(cstr("CPU"));
  if (!reg) throw new LlamaCallError("ggml_backend_reg_by_name(CPU)", "no CPU backend loaded");
  const get = (name: keyof typeof cpuBackendSymbols) => {
    const p = ggmlBase.ggml_backend_reg_get_proc_address(reg, cstr(name));
    if (!p) throw new LlamaCallError("ggml_backend_reg_get_proc_address", name);
    return CFunction({ ...cpuBackendSymbols[name], ptr: p }) as unknown as Fn;
  };
  const newPtr = ggmlBase.ggml_backend_reg_get_proc_address(reg, cstr("ggml_threadpool_new"));
  const extra = newPtr ? siblingSymbols(newPtr, cpuBackendExtraSymbols) : null;
  fns = {
    create: get("ggml_threadpool_new"),
    free: get("ggml_threadpool_free"),
    pause: (extra?.ggml_threadpool_pause as Fn | undefined) ?? null,
  };
  return fns;
}

/** Owner of one ggml threadpool. */
export class ThreadPool {
  #ptr: Ptr | null;
  readonly threads: number;

  constructor(threads: number, poll = 50) {
    const { ggmlBase } = native();
    const p = new StructView(ThreadpoolParams);
    ggmlBase.ggml_threadpool_params_init(addressOf(p.bytes), threads);
    p.set("poll", poll);
    const tp = cpuFns().create(addressOf(p.bytes)) as Ptr | null;
    if (!tp) throw new LlamaCallError("ggml_threadpool_new", `${threads} threads`);
    this.#ptr = tp;
    this.threads = threads;
  }

  /** @internal the native handle, for engine objects only. */
  get handle(): Ptr | null {
    return this.#ptr;
  }

  /**
   * Puts the pool's threads to sleep at once instead of letting them poll for the next graph; the next
   * graph compute wakes them (ggml resumes a paused pool itself). False when this build cannot pause.
   */
  pause(): boolean {
    const pause = cpuFns().pause;
    if (!this.#ptr || !pause) return false;
    pause(this.#ptr);
    return true;
  }

  /** Frees the pool (detach it from contexts first). Idempotent. */
  dispose(): void {
    if (this.#ptr) cpuFns().free(this.#ptr);
    this.#ptr = null;
  }
}
