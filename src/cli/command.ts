/** Wraps a command body: `--help`, usage errors (exit 2), and the help text of a spec. */
import { declaredEnv, ENV } from "../config/env.ts";
import { UsageError } from "./errors.ts";
import { type CommandSpec, type ParsedArgs, parseArgs } from "./flags.ts";
import type { CliIO } from "./io.ts";

/** A runnable CLI command. */
export interface CliCommand {
  spec: CommandSpec;
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Help text of a command, laid out like cobra's. */
export function helpText(spec: CommandSpec): string {
  const lines = [
    spec.summary,
    "",
    "Usage:",
    `  tsllm ${spec.name}${spec.usage ? ` ${spec.usage}` : ""} [flags]`,
    "",
  ];
  if (spec.aliases?.length) lines.push("Aliases:", `  ${[spec.name, ...spec.aliases].join(", ")}`, "");
  const flags = [
    ...spec.flags,
    { name: "help", short: "h", type: "bool", description: `help for ${spec.name}` },
  ];
  const left = flags.map((f) => {
    const short = f.short ? `-${f.short}, ` : "    ";
    const placeholder = "value" in f && f.value ? f.value : f.type === "int" ? "int" : "string";
    // pflag shows a flag with an optional value as `--think string[="true"]`.
    const value =
      f.type === "bool" ? "" : f.type === "optional" ? ` ${placeholder}[="true"]` : ` ${placeholder}`;
    return `  ${short}--${f.name}${value}`;
  });
  const width = Math.max(...left.map((l) => l.length)) + 3;
  lines.push("Flags:", ...flags.map((f, i) => (left[i] as string).padEnd(width) + f.description), "");
  // Every command that talks to a server also sends its API key.
  const names = spec.env?.includes(ENV.HOST.name) ? [...spec.env, ENV.API_KEY.name] : (spec.env ?? []);
  const env = declaredEnv().filter((v) => names.includes(v.name));
  if (env.length) {
    const w = Math.max(...env.map((v) => v.name.length)) + 3;
    lines.push("Environment Variables:");
    for (const v of env)
      lines.push(`      ${v.name.padEnd(w)}${v.description}${v.default ? ` (default: ${v.default})` : ""}`);
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}

/** Builds a command from its spec and body; the body sees parsed flags and positionals. */
export function defineCommand(
  spec: CommandSpec,
  body: (p: ParsedArgs, io: CliIO) => Promise<number | undefined>,
): CliCommand {
  return {
    spec,
    async run(argv, io) {
      let parsed: ParsedArgs;
      try {
        parsed = parseArgs(spec, argv);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        io.err.write(`Error: ${e.message} (see 'tsllm ${spec.name} --help')\n`);
        return 2;
      }
      if (parsed.flags.help) {
        io.out.write(helpText(spec));
        return 0;
      }
      try {
        return (await body(parsed, io)) ?? 0;
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        io.err.write(`Error: ${e.message}\n`);
        return 2;
      }
    },
  };
}
