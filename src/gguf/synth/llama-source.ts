import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { Env } from "../../config/env.ts";
import { LlamaSourceError } from "./errors.ts";
import { cacheRoot } from "./paths.ts";

/** Path of node-llama-cpp's git bundle of the pinned llama.cpp source, or undefined if not installed. */
export function llamaBundlePath(): string | undefined {
  const candidates: string[] = [];
  try {
    // .../node_modules/node-llama-cpp/dist/index.js → .../node_modules/node-llama-cpp/llama/gitRelease.bundle
    candidates.push(
      join(dirname(Bun.resolveSync("node-llama-cpp", import.meta.dir)), "..", "llama", "gitRelease.bundle"),
    );
  } catch {
    // not resolvable from here; fall back to the repository layout
  }
  candidates.push(
    join(import.meta.dir, "..", "..", "..", "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle"),
  );
  return candidates.find((p) => existsSync(p));
}

/**
 * The pinned llama.cpp source tree (vocabulary GGUFs, headers): `<cache>/llama.cpp`, cloned once from
 * node-llama-cpp's git bundle when missing. Synchronous so that test files can call it at load time.
 */
export function llamaSourceDir(env: Env = new Env()): string {
  const dir = join(cacheRoot(env), "llama.cpp");
  if (existsSync(join(dir, "models"))) return dir;
  const bundle = llamaBundlePath();
  if (bundle === undefined) {
    throw new LlamaSourceError(
      `llama.cpp source not found at ${dir} and node-llama-cpp's gitRelease.bundle is not installed`,
    );
  }
  mkdirSync(dirname(dir), { recursive: true });
  // Clone beside the target and rename, so a concurrent or interrupted clone never leaves a half tree.
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const r = Bun.spawnSync(["git", "clone", "--quiet", bundle, tmp], { stderr: "pipe", stdout: "ignore" });
  if (r.exitCode !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new LlamaSourceError(`git clone of ${bundle} failed: ${r.stderr.toString().trim()}`);
  }
  try {
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dir, "models"))) throw e; // someone else may have won the race
  }
  return dir;
}

/** Path of a vocabulary GGUF shipped with llama.cpp (`models/ggml-vocab-<name>.gguf`). */
export function vocabPath(name: string, env: Env = new Env()): string {
  return join(llamaSourceDir(env), "models", `ggml-vocab-${name}.gguf`);
}
