/** `tsllm --version`: tsllm's and llama.cpp's versions. */
import type { Env } from "../config/env.ts";
import { initBackend } from "../llama/engine/backend.ts";
import { VERSION } from "../version.ts";
import { backendOptions } from "./info.ts";

/** Prints both versions. */
export function versionCommand(env: Env): number {
  const n = initBackend(backendOptions(env));
  process.stdout.write(`tsllm version ${VERSION}\nllama.cpp version ${n.llamaVersion} (${n.lib.variant})\n`);
  return 0;
}
