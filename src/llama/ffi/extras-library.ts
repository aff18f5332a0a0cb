/**
 * Where a native extra (a library scripts/build-native-extras.sh builds: libggml-rpc.so, libmtmd.so) lives:
 * beside the variant's libraries (embedded in ./tsllm, or TSLLM_LIB_DIR), else — in development — in that
 * script's cache, keyed by llama.cpp release so it always matches the prebuilt libraries it was built against.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ENV, Env } from "../../config/env.ts";
import type { LibDir } from "./libs.ts";

/** Every path `file` may be at for `lib` (release e.g. "v0.5.0"), best first. */
export function extrasLibraryCandidates(
  file: string,
  lib: LibDir,
  release: string,
  env: Env = new Env(),
): string[] {
  const home = env.raw("HOME") ?? "/";
  const xdg = env.raw("XDG_CACHE_HOME");
  const roots = [
    env.path(ENV.CACHE_DIR),
    join(xdg || join(home, ".cache"), "tsllm"),
    join(home, ".cache", "tsllm"),
  ];
  const extras = roots.map((r) => join(r, "native-extras", release, file));
  return [join(lib.dir, file), ...extras].filter((p, i, a) => a.indexOf(p) === i);
}

/** The first candidate that exists, or null. */
export function findExtrasLibrary(file: string, lib: LibDir, release: string, env?: Env): string | null {
  return extrasLibraryCandidates(file, lib, release, env).find((p) => existsSync(p)) ?? null;
}

/** The metadata beside `file` (x.so → x.json) when it has string field `key`, else null (absent, unreadable). */
export function readExtrasMeta<T>(file: string, key: keyof T & string): T | null {
  try {
    const meta = JSON.parse(readFileSync(file.replace(/\.so$/, ".json"), "utf8"));
    return typeof meta?.[key] === "string" ? (meta as T) : null;
  } catch {
    return null;
  }
}
