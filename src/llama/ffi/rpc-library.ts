/**
 * Where libggml-rpc.so lives: beside the variant's libraries (embedded in ./tsllm, or TSLLM_LIB_DIR), else —
 * in development — in the cache scripts/build-native-extras.sh builds it into, keyed by llama.cpp release so
 * it always matches the prebuilt libggml-base it was compiled against.
 */
import type { Env } from "../../config/env.ts";
import { extrasLibraryCandidates, findExtrasLibrary, readExtrasMeta } from "./extras-library.ts";
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
export function rpcLibraryCandidates(lib: LibDir, release: string, env?: Env): string[] {
  return extrasLibraryCandidates(RPC_LIBRARY, lib, release, env);
}

/** The first candidate that exists, or null. */
export function findRpcLibrary(lib: LibDir, release: string, env?: Env): string | null {
  return findExtrasLibrary(RPC_LIBRARY, lib, release, env);
}

/** The metadata file beside `file`, or null when absent or unreadable. */
export function readRpcLibraryMeta(file: string): RpcLibraryMeta | null {
  return readExtrasMeta<RpcLibraryMeta>(file, "rpcProto");
}
