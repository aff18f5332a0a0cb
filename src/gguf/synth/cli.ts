/**
 * `bun run synth -- --preset <tiny|small|1b|embed|rerank> --quant <f32|f16|q8_0|q4_0> --vocab <name>
 *  [--seed N] [--pooling mean|cls] [--template <name>] [--endless] --out FILE` — writes a synthetic GGUF model.
 * --endless (llama presets): no end-of-generation token can ever be sampled, so only a limit ends a stream.
 * Template names: default (the vocabulary's own), qwen2.5, qwen3 (vocab qwen2), llama3.1, llama3.2
 * (vocab llama-bpe), mistral (vocab llama-spm).
 * With --projector: a vision projector for that preset's models instead (see projector-cli.ts).
 */
import { parseArgs } from "node:util";
import { TsllmError } from "../../errors.ts";
import { SynthOptionError } from "./errors.ts";
import { projectorMain } from "./projector-cli.ts";
import { type SynthOptions, synthesize } from "./synthesize.ts";

const parse = (argv: string[]) =>
  parseArgs({
    args: argv,
    options: {
      preset: { type: "string" },
      quant: { type: "string" },
      vocab: { type: "string" },
      seed: { type: "string" },
      pooling: { type: "string" },
      template: { type: "string" },
      out: { type: "string" },
      endless: { type: "boolean" },
    },
    strict: true,
    allowPositionals: false,
  }).values;

/** Parses argv into synthesize() options; throws SynthOptionError with a one-line message. */
export function parseSynthArgs(argv: string[]): SynthOptions {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (e) {
    throw new SynthOptionError((e as Error).message.split("\n")[0] ?? "bad arguments");
  }
  const missing = (["preset", "quant", "vocab", "out"] as const).filter((k) => !values[k]);
  if (missing.length > 0) throw new SynthOptionError(`missing ${missing.map((m) => `--${m}`).join(", ")}`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && (!/^\d+$/.test(values.seed ?? "") || !Number.isSafeInteger(seed))) {
    throw new SynthOptionError(`--seed must be a non-negative integer: ${values.seed}`);
  }
  const pooling = values.pooling;
  if (pooling !== undefined && pooling !== "mean" && pooling !== "cls") {
    throw new SynthOptionError(`--pooling must be mean or cls: ${pooling}`);
  }
  return {
    preset: values.preset as string,
    quant: values.quant as string,
    vocab: values.vocab as string,
    out: values.out as string,
    ...(seed === undefined ? {} : { seed }),
    ...(pooling === undefined ? {} : { pooling: pooling as "mean" | "cls" }),
    ...(values.template === undefined ? {} : { template: values.template }),
    ...(values.endless ? { endless: true } : {}),
  };
}

/** CLI entry: prints one summary line, or one error line and exit code 1. */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--projector")) return projectorMain(argv);
  try {
    const t0 = performance.now();
    const r = await synthesize(parseSynthArgs(argv));
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    const mib = (r.bytes / 2 ** 20).toFixed(1);
    console.log(`wrote ${r.path}: ${r.tensors} tensors, ${r.params} params, ${mib} MiB in ${secs}s`);
    return 0;
  } catch (e) {
    if (!(e instanceof TsllmError)) throw e;
    console.error(`synth: ${e.message}`);
    return 1;
  }
}

if (import.meta.main) process.exit(await main(Bun.argv.slice(2)));
