#!/usr/bin/env bun
/** argv → command. Every failure ends as one line on stderr and a non-zero exit (stack with TSLLM_DEBUG). */
import { cliTable, commandHelp, commandSummaries } from "./cli/index.ts";
import { infoCommand } from "./cli/info.ts";
import { versionCommand } from "./cli/version.ts";
import { ENV, Env } from "./config/env.ts";
import { TsllmError } from "./errors.ts";

const USAGE = `Usage: tsllm <command> [flags]

Commands:
  serve      Start the server
${commandSummaries()}  info       Show the llama.cpp library variant, system info and devices
  --version  Show tsllm's, the Ollama API's and llama.cpp's versions (and the server's)
  help       Show this help (\`tsllm help COMMAND\` for a command's flags)

Environment Variables:
  TSLLM_HOST     Address of the server the client commands talk to (default 127.0.0.1:11434)
  OLLAMA_HOST    Used when TSLLM_HOST is unset
  TSLLM_API_KEY  The key the client commands send, when the server requires one
`;

type Command = (args: string[], env: Env) => number | Promise<number>;

const commands: Record<string, Command> = {
  info: (args, env) => infoCommand(args, env),
  "--version": (_a, env) => versionCommand(env),
  "-v": (_a, env) => versionCommand(env),
  version: (_a, env) => versionCommand(env),
  ...cliTable,
  help: (args) => {
    const text = args[0] ? commandHelp(args[0]) : USAGE;
    if (text === undefined) {
      process.stderr.write(`Error: unknown help topic "${args[0]}"\n`);
      return 2;
    }
    process.stdout.write(text);
    return 0;
  },
  serve: async (args, env) => (await import("./cli/serve.ts")).serveCommand(args, env),
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
