/**
 * Where libggml-rpc.so lives: beside the variant's libraries (embedded in ./tsllm, or TSLLM_LIB_DIR), else —
 * in development — in the cache scripts/build-native-extras.sh builds it into, keyed by llama.cpp release so
 * it always matches the prebuilt libggml-base it was compiled against.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ENV, Env } from "../../config/env.ts";
import type { LibDir } from "./libs.ts";

/** The RPC backend's file name; ggml_backend_load_all_from_path loads it when it sits in the lib dir. */
export const RPC_LIBRARY = "libggml-rpc.so";

/** What build-native-extras.sh records beside the library. */
export interface RpcLibraryMeta {
  release: string;
  commit: string;
  /** RPC protocol version of ggml-rpc.h at that commit, "major.minor.patch". */
  rpcProto: string;
}

/** Every path the library may be at for `lib` (release e.g. "v0.5.0"), best first. */
export function rpcLibraryCandidates(lib: LibDir, release: string, env: Env = new Env()): string[] {
  const home = env.raw("HOME") ?? "/";
  const xdg = env.raw("XDG_CACHE_HOME");
  const roots = [
    env.path(ENV.CACHE_DIR),
    join(xdg || join(home, ".cache"), "tsllm"),
    join(home, ".cache", "tsllm"),
  ];
  const extras = roots.map((r) => join(r, "native-extras", release, RPC_LIBRARY));
  return [join(lib.dir, RPC_LIBRARY), ...extras].filter((p, i, a) => a.indexOf(p) === i);
}

/** The first candidate that exists, or null. */
export function findRpcLibrary(lib: LibDir, release: string, env?: Env): string | null {
  return rpcLibraryCandidates(lib, release, env).find((p) => existsSync(p)) ?? null;
}

/** The metadata file beside `file` (libggml-rpc.json), or null when absent or unreadable. */
export function readRpcLibraryMeta(file: string): RpcLibraryMeta | null {
  try {
    const meta = JSON.parse(readFileSync(file.replace(/\.so$/, ".json"), "utf8"));
    return typeof meta?.rpcProto === "string" ? meta : null;
  } catch {
    return null;
  }
}
