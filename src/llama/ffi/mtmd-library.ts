/**
 * Where libmtmd.so lives: beside the variant's libraries (embedded in ./tsllm, or TSLLM_LIB_DIR), else — in
 * development — in the cache scripts/build-native-extras.sh builds it into, keyed by llama.cpp release so it
 * always matches the prebuilt libllama it was linked against.
 */
import type { Env } from "../../config/env.ts";
import { extrasLibraryCandidates, findExtrasLibrary, readExtrasMeta } from "./extras-library.ts";
import type { LibDir } from "./libs.ts";

/** The multimodal library's file name. */
export const MTMD_LIBRARY = "libmtmd.so";

/** What build-native-extras.sh records beside the library. */
export interface MtmdLibraryMeta {
  release: string;
  commit: string;
  /** The media marker mtmd looks for in prompts. */
  marker: string;
  shim: number;
}

/** Every path the library may be at for `lib` (release e.g. "v0.5.0"), best first. */
export function mtmdLibraryCandidates(lib: LibDir, release: string, env?: Env): string[] {
  return extrasLibraryCandidates(MTMD_LIBRARY, lib, release, env);
}

/** The first candidate that exists, or null. */
export function findMtmdLibrary(lib: LibDir, release: string, env?: Env): string | null {
  return findExtrasLibrary(MTMD_LIBRARY, lib, release, env);
}

/** The metadata file beside `file`, or null when absent or unreadable. */
export function readMtmdLibraryMeta(file: string): MtmdLibraryMeta | null {
  return readExtrasMeta<MtmdLibraryMeta>(file, "marker");
}
