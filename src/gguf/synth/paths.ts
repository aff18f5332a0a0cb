import { join } from "node:path";
import { Env } from "../../config/env.ts";

/**
 * tsllm's cache root: TSLLM_CACHE_DIR when set, else $XDG_CACHE_HOME/tsllm, else ~/.cache/tsllm.
 */
export function cacheRoot(env: Env = new Env()): string {
  const explicit = env.raw("TSLLM_CACHE_DIR");
  if (explicit) {
    const home = env.raw("HOME") ?? "/";
    return explicit.startsWith("~") ? home + explicit.slice(1) : explicit;
  }
  const xdg = env.raw("XDG_CACHE_HOME");
  return join(xdg ? xdg : join(env.raw("HOME") ?? "/", ".cache"), "tsllm");
}

/** Where synthesized test models are cached. */
export function synthCacheDir(env: Env = new Env()): string {
  return join(cacheRoot(env), "synth");
}
