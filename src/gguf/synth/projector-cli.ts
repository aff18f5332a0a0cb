/**
 * `bun run synth -- --projector --preset <tiny|small|1b> [--seed N] --out FILE` — writes a synthetic vision
 * projector (mmproj GGUF) for the chat models of that preset (see projector.ts).
 */
import { parseArgs } from "node:util";
import { TsllmError } from "../../errors.ts";
import { SynthOptionError } from "./errors.ts";
import { type ProjectorOptions, synthesizeProjector } from "./projector.ts";

/** Parses argv (with --projector) into synthesizeProjector() options; throws SynthOptionError. */
export function parseProjectorArgs(argv: string[]): ProjectorOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        projector: { type: "boolean" },
        preset: { type: "string" },
        seed: { type: "string" },
        out: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new SynthOptionError((e as Error).message.split("\n")[0] ?? "bad arguments");
  }
  const { preset, out, seed } = values as Record<string, string | undefined>;
  if (!preset || !out) throw new SynthOptionError("--projector needs --preset and --out");
  if (seed !== undefined && !/^\d+$/.test(seed))
    throw new SynthOptionError(`--seed must be a non-negative integer: ${seed}`);
  return { preset, out, ...(seed === undefined ? {} : { seed: Number(seed) }) };
}

/** CLI entry for --projector: one summary line, or one error line and exit code 1. */
export async function projectorMain(argv: string[]): Promise<number> {
  try {
    const r = await synthesizeProjector(parseProjectorArgs(argv));
    console.log(
      `wrote ${r.path}: ${r.tensors} tensors, ${r.params} params, ${(r.bytes / 2 ** 20).toFixed(1)} MiB`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof TsllmError)) throw e;
    console.error(`synth: ${e.message}`);
    return 1;
  }
}
