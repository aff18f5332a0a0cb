/** `tsllm info`: the chosen libllama variant, system info and every ggml device with its memory. */
import { ENV, type Env } from "../config/env.ts";
import { availableVariants } from "../llama/ffi/libs.ts";
import { initBackend, listDevices, systemInfo } from "../llama/engine/backend.ts";
import { VERSION } from "../version.ts";

/** Runs the command; prints to stdout. */
export function infoCommand(env: Env): number {
  const n = initBackend(backendOptions(env));
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  const lines = [
    `tsllm version: ${VERSION}`,
    `llama.cpp version: ${n.llamaVersion}`,
    `library variant: ${n.lib.variant} (${n.lib.source}: ${n.lib.dir})`,
    `available variants: ${availableVariants().join(", ")}`,
    `system info: ${systemInfo().trim()}`,
    "devices:",
    ...listDevices().map(
      (d) =>
        `  ${d.index}: ${d.name} [${d.type}] ${d.description} — free ${gib(d.free)} / total ${gib(d.total)}`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

/** Backend options from the env registry. */
export function backendOptions(env: Env) {
  return {
    variant: env.get(ENV.LLM_LIBRARY) || undefined,
    libDir: env.path(ENV.LIB_DIR) || undefined,
    cacheDir: env.path(ENV.CACHE_DIR),
    verbose: env.bool(ENV.DEBUG),
  };
}
