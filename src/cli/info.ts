/** `tsllm info`: the chosen libllama variant, system info and every ggml device with its memory. */
import { parseArgs } from "node:util";
import { ENV, type Env } from "../config/env.ts";
import { ggufInfo } from "./gguf-info.ts";
import { availableVariants } from "../llama/ffi/libs.ts";
import { initBackend, listDevices, systemInfo } from "../llama/engine/backend.ts";
import { VERSION } from "../version.ts";

/** Runs the command; prints to stdout. `--model FILE` describes a GGUF file instead. */
export async function infoCommand(args: string[], env: Env): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { model: { type: "string" }, json: { type: "boolean" } },
    strict: true,
  });
  if (values.model !== undefined) {
    process.stdout.write(await ggufInfo(values.model));
    return 0;
  }
  const n = initBackend(backendOptions(env));
  if (values.json) {
    // Machine-readable form: `serve` runs this in a child process so the server never loads libllama.
    const info = {
      version: VERSION,
      llama_version: n.llamaVersion,
      variant: n.lib.variant,
      devices: listDevices(),
      system_info: systemInfo().trim(),
    };
    process.stdout.write(`${JSON.stringify(info)}\n`);
    return 0;
  }
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
