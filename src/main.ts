#!/usr/bin/env bun
/** argv → command. Every failure ends as one line on stderr and a non-zero exit (stack with TSLLM_DEBUG). */
import { infoCommand } from "./cli/info.ts";
import { versionCommand } from "./cli/version.ts";
import { ENV, Env } from "./config/env.ts";
import { TsllmError } from "./errors.ts";

const USAGE = `Usage: tsllm <command> [flags]

Commands:
  serve      Start the server
  run        Run a model
  info       Show the llama.cpp library variant, system info and devices
  --version  Show tsllm's and llama.cpp's versions
  help       Show this help
`;

type Command = (args: string[], env: Env) => number | Promise<number>;

const commands: Record<string, Command> = {
  info: (_a, env) => infoCommand(env),
  "--version": (_a, env) => versionCommand(env),
  "-v": (_a, env) => versionCommand(env),
  version: (_a, env) => versionCommand(env),
  help: () => {
    process.stdout.write(USAGE);
    return 0;
  },
  runner: async (args, env) => (await import("./runner/server/main.ts")).runnerMain(args, env),
};

async function main(argv: string[]): Promise<number> {
  const env = new Env();
  const [name = "help", ...rest] = argv;
  const cmd = commands[name === "--help" || name === "-h" ? "help" : name];
  if (!cmd) {
    process.stderr.write(`Error: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await cmd(rest, env);
  } catch (e) {
    const debug = env.bool(ENV.DEBUG);
    const msg = e instanceof TsllmError || !debug ? (e as Error).message : String((e as Error).stack);
    process.stderr.write(`Error: ${msg}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
