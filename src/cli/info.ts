/** `tsllm info`: the chosen libllama variant (and why others were passed over), system info and every device. */
import { parseArgs } from "node:util";
import { ENV, type Env } from "../config/env.ts";
import { ggufInfo } from "./gguf-info.ts";
import { availableVariants } from "../llama/ffi/libs.ts";
import {
  chooseVariantWithReasons,
  probeMachine,
  VARIANTS,
  type Variant,
  type VariantChoice,
} from "../llama/ffi/variant.ts";
import {
  type DeviceInfo,
  drainNativeLog,
  initBackend,
  listDevices,
  systemInfo,
} from "../llama/engine/backend.ts";
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
  const opts = backendOptions(env);
  const probe = probeMachine(opts.libDir, opts.variant);
  const offered = availableVariants(opts.libDir, opts.variant);
  const choice = chooseVariantWithReasons(offered, probe, opts.variant);
  const n = initBackend(opts);
  const devices = listDevices();
  const failed = loadFailure(n.lib.variant, devices);
  // The next variant to try when this one's GPU library did not load (serve re-probes with it).
  const fallback = failed ? nextVariant(n.lib.variant, probe, offered) : undefined;
  if (values.json) {
    // Machine-readable form: `serve` runs this in a child process so the server never loads libllama.
    const info = {
      version: VERSION,
      llama_version: n.llamaVersion,
      variant: n.lib.variant,
      choice: { skipped: choice.skipped, fell_back: choice.fellBack },
      ...(failed ? { load_error: failed, fallback } : {}),
      devices,
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
    ...choiceLines(choice, opts.variant),
    ...(failed ? [`  ${failed}; serve falls back to ${fallback}`] : []),
    `available variants: ${offered.join(", ")}`,
    `system info: ${systemInfo().trim()}`,
    "devices:",
    ...devices.map(
      (d) =>
        `  ${d.index}: ${d.name} [${d.type}] ${d.description} — free ${gib(d.free)} / total ${gib(d.total)}`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

function choiceLines(choice: VariantChoice, override: string | undefined): string[] {
  const head =
    override && choice.fellBack
      ? [`TSLLM_LLM_LIBRARY=${override} cannot run here, fell back to ${choice.variant}:`]
      : choice.skipped.length > 0
        ? ["variants passed over:"]
        : [];
  return [...head, ...choice.skipped.map((s) => `  ${s}`)];
}

/**
 * A CUDA library that passed the probe can still fail inside ggml (dlopen error, driver refusing the GPU):
 * ggml then just registers no CUDA device. Names that case with ggml's own log lines about it.
 */
export function loadFailure(variant: string, devices: DeviceInfo[]): string | undefined {
  if (!variant.startsWith("cuda") || devices.some((d) => /^cuda/i.test(d.name))) return undefined;
  const log = drainNativeLog()
    .split("\n")
    .filter((l) => /cuda|failed|error/i.test(l))
    .map((l) => l.trim())
    .slice(-3);
  return `${variant}: libggml-cuda.so loaded no CUDA device${log.length > 0 ? ` (${log.join(" | ")})` : ""}`;
}

function nextVariant(failed: string, probe: ReturnType<typeof probeMachine>, offered: Variant[]): string {
  const after = VARIANTS.slice(VARIANTS.indexOf(failed as Variant) + 1);
  return chooseVariantWithReasons(
    offered.filter((v) => after.includes(v)),
    probe,
  ).variant;
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
