/**
 * Opens libggml, libggml-base and libllama, compiles the C shim and initialises the backend — once per
 * process (or Worker). The only module-level state in tsllm: the dlopen handles.
 */
import { cc, dlopen, type FFIFunction, type Library } from "bun:ffi";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LlamaCallError, NativeLibraryError } from "./errors.ts";
import type { LibDir } from "./libs.ts";
import { cstr } from "./memory.ts";
import { findRpcLibrary } from "./rpc-library.ts";
import grammarSamplingSource from "./grammar-sampling.c" with { type: "file" };
import prefixGroupsSource from "./prefix-groups.c" with { type: "file" };
import shimSource from "./shim.c" with { type: "file" };
import { Batch, ContextParams, ModelParams, PerfContextData, QuantizeParams } from "./structs.ts";
import { ggmlBaseSymbols, ggmlSymbols, llamaSymbols, shimSymbols } from "./symbols.ts";

function open<T extends Record<string, FFIFunction>>(path: string, symbols: T): Library<T> {
  try {
    return dlopen(path, symbols);
  } catch (e) {
    throw new NativeLibraryError(`cannot load native library ${path}: ${(e as Error).message}`, e);
  }
}

/** The shim's parts, in compile order (one translation unit: later parts use the first's declarations). */
const SHIM_PARTS = [shimSource, prefixGroupsSource, grammarSamplingSource];

/**
 * TinyCC reads one source file from disk: the parts (embedded files in a compiled executable) are joined into
 * one file named by its hash, written once beside the extracted libraries (or in the temp dir).
 */
function shimOnDisk(lib: LibDir): string {
  const text = SHIM_PARTS.map((p) => readFileSync(p, "utf8")).join("\n");
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 12);
  const dir = lib.source === "embedded" ? lib.dir : tmpdir();
  const path = join(dir, `tsllm-shim-${hash}.c`);
  if (!existsSync(path)) {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  }
  return path;
}

function compileShim(lib: LibDir) {
  try {
    return cc({
      source: shimOnDisk(lib),
      define: {
        MODEL_PARAMS_SIZE: String(ModelParams.size),
        CONTEXT_PARAMS_SIZE: String(ContextParams.size),
        BATCH_SIZE: String(Batch.size),
        QUANTIZE_PARAMS_SIZE: String(QuantizeParams.size),
        PERF_CONTEXT_SIZE: String(PerfContextData.size),
      },
      symbols: shimSymbols,
    });
  } catch (e) {
    throw new NativeLibraryError(`cannot compile the libllama shim: ${(e as Error).message}`, e);
  }
}

/** Everything the engine calls: the three symbol tables plus the library directory it came from. */
export interface Native {
  readonly lib: LibDir;
  readonly llama: Library<typeof llamaSymbols>["symbols"];
  readonly ggml: Library<typeof ggmlSymbols>["symbols"];
  readonly ggmlBase: Library<typeof ggmlBaseSymbols>["symbols"];
  readonly shim: Library<typeof shimSymbols>["symbols"];
  /** llama.cpp release of these libraries (e.g. "v0.5.0"), or "unknown". */
  readonly llamaVersion: string;
}

let loaded: Native | null = null;

/** Loads the libraries in `lib` (idempotent for the same dir; a different dir in one process is an error). */
export function loadNative(lib: LibDir): Native {
  if (loaded) {
    if (loaded.lib.dir !== lib.dir)
      throw new NativeLibraryError(`libllama already loaded from ${loaded.lib.dir}`);
    return loaded;
  }
  const ggmlBase = open(lib.libggmlBase, ggmlBaseSymbols).symbols;
  const ggml = open(lib.libggml, ggmlSymbols).symbols;
  const llama = open(lib.libllama, llamaSymbols).symbols;
  const shim = compileShim(lib).symbols;
  const rc = shim.tsllm_shim_init(cstr(lib.libllama));
  if (rc !== 0) throw new LlamaCallError("tsllm_shim_init", `code ${rc}`);
  // Backends (CPU variants, Vulkan, CUDA) are separate libggml-*.so files next to libllama; load them from
  // there explicitly, since the default search looks beside the *executable* (bun), not the library.
  ggml.ggml_backend_load_all_from_path(cstr(lib.dir));
  const llamaVersion = readRelease(lib.dir);
  // The RPC backend is not in the npm packages: in development it sits in the native-extras cache. Optional.
  const rpc = ggml.ggml_backend_reg_by_name(cstr("RPC")) ? null : findRpcLibrary(lib, llamaVersion);
  if (rpc) ggml.ggml_backend_load(cstr(rpc));
  llama.llama_backend_init();
  loaded = { lib, llama, ggml, ggmlBase, shim, llamaVersion };
  return loaded;
}

/** The loaded libraries; throws if `loadNative` has not run in this thread. */
export function native(): Native {
  if (!loaded) throw new NativeLibraryError("libllama is not loaded");
  return loaded;
}

function readRelease(dir: string): string {
  try {
    const meta = JSON.parse(readFileSync(join(dir, "_nlcBuildMetadata.json"), "utf8"));
    return String(meta?.buildOptions?.llamaCpp?.release ?? "unknown");
  } catch {
    return "unknown";
  }
}
