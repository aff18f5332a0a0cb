/**
 * Choosing and loading libllama for this process, the ggml device list, system info, and draining
 * llama.cpp's own log lines into tsllm's logger.
 */
import { availableVariants, type LibDir, resolveLibDir } from "../ffi/libs.ts";
import { addressOf, readCString } from "../ffi/memory.ts";
import { loadNative, type Native, native } from "../ffi/native.ts";
import { chooseVariant, probeMachine } from "../ffi/variant.ts";
import { Logger } from "../../log.ts";

/** Where to get libllama from; all optional. */
export interface BackendOptions {
  /** Variant override (TSLLM_LLM_LIBRARY). */
  variant?: string;
  /** Directory override (TSLLM_LIB_DIR). */
  libDir?: string;
  /** Cache dir for extracting embedded libraries. */
  cacheDir: string;
  /** Write every native log line to stderr as it happens (TSLLM_DEBUG). */
  verbose?: boolean;
}

/** Resolves the variant and its directory without loading anything. */
export function resolveBackend(opts: BackendOptions): LibDir {
  const libDir = opts.libDir || undefined;
  const override = opts.variant || undefined;
  const variant = chooseVariant(
    availableVariants(libDir, override),
    probeMachine(libDir, override),
    override,
  );
  return resolveLibDir({ variant, libDirOverride: opts.libDir || undefined, cacheDir: opts.cacheDir });
}

/** Loads libllama for this thread (idempotent). With `verbose`, native log lines go to tsllm's logger. */
export function initBackend(opts: BackendOptions): Native {
  const n = loadNative(resolveBackend(opts));
  // ggml levels: 1 debug, 2 info, 3 warn, 4 error. Errors always reach stderr at once (a crash right after
  // must still show them); everything else is drained into the logger when verbose, or kept quiet.
  n.shim.tsllm_log_stderr_level(4);
  if (opts.verbose) {
    const log = new Logger("debug", "llama");
    nativeSink = (text) => {
      for (const line of text.split("\n")) if (line.trim()) log.debug(line.trimEnd());
    };
    drainNativeLog();
  }
  return n;
}

let nativeSink: ((text: string) => void) | null = null;

/** A ggml compute device and its memory. */
export interface DeviceInfo {
  index: number;
  name: string;
  description: string;
  type: "cpu" | "gpu" | "igpu" | "accel" | "meta";
  free: number;
  total: number;
}

const TYPES: DeviceInfo["type"][] = ["cpu", "gpu", "igpu", "accel", "meta"];

/** Every ggml device with its free/total memory, as ggml reports them now. */
export function listDevices(): DeviceInfo[] {
  const { ggml, ggmlBase } = native();
  const out: DeviceInfo[] = [];
  const mem = new BigUint64Array(2);
  const count = Number(ggml.ggml_backend_dev_count());
  for (let i = 0; i < count; i++) {
    const dev = ggml.ggml_backend_dev_get(i);
    if (!dev) continue;
    ggmlBase.ggml_backend_dev_memory(dev, addressOf(mem.subarray(0, 1)), addressOf(mem.subarray(1, 2)));
    out.push({
      index: i,
      name: String(ggmlBase.ggml_backend_dev_name(dev)),
      description: String(ggmlBase.ggml_backend_dev_description(dev)),
      type: TYPES[ggmlBase.ggml_backend_dev_type(dev)] ?? "accel",
      free: Number(mem[0]),
      total: Number(mem[1]),
    });
  }
  return out;
}

/** llama.cpp's system info line (CPU features, backends). */
export function systemInfo(): string {
  return String(native().llama.llama_print_system_info());
}

const drainBuf = new Uint8Array(64 * 1024);

/** Native log text written since the last drain (also handed to the logger when verbose). */
export function drainNativeLog(): string {
  const { shim } = native();
  let text = "";
  for (;;) {
    const n = shim.tsllm_log_drain(addressOf(drainBuf), drainBuf.length);
    if (n <= 0) break;
    text += Buffer.from(drainBuf.subarray(0, n)).toString("utf8");
    if (n < drainBuf.length) break;
  }
  if (text) nativeSink?.(text);
  return text;
}
