/** The client commands (thin HTTP clients of the server's API) by name, for src/main.ts. */
import type { Env } from "../config/env.ts";
import { type CliCommand, helpText } from "./command.ts";
import { copyCommand } from "./copy.ts";
import { createCommand } from "./create.ts";
import { processIO } from "./io.ts";
import { listCommand } from "./list.ts";
import { psCommand } from "./ps.ts";
import { pullCommand, pushCommand } from "./registry.ts";
import { removeCommand } from "./remove.ts";
import { rpcServerCommand } from "./rpc-server.ts";
import { runCommand } from "./run.ts";
import { showCommand } from "./show.ts";
import { stopCommand } from "./stop.ts";

/** Every client command, in help order. */
export const clientCommands: CliCommand[] = [
  createCommand,
  showCommand,
  runCommand,
  stopCommand,
  pullCommand,
  pushCommand,
  listCommand,
  psCommand,
  copyCommand,
  removeCommand,
  rpcServerCommand,
];

/** Name or alias → command. */
export function findCommand(name: string): CliCommand | undefined {
  return clientCommands.find((c) => c.spec.name === name || c.spec.aliases?.includes(name));
}

/** Entries for main.ts's command table: `name → (args, env) → exit code`. */
export const cliTable: Record<string, (args: string[], env: Env) => Promise<number>> = Object.fromEntries(
  clientCommands.flatMap((c) =>
    [c.spec.name, ...(c.spec.aliases ?? [])].map((n) => [
      n,
      (args: string[], env: Env) => c.run(args, processIO(env)),
    ]),
  ),
);

/** One line per client command for the top-level usage: "  run        Run a model". */
export function commandSummaries(): string {
  return clientCommands.map((c) => `  ${c.spec.name.padEnd(11)}${c.spec.summary}\n`).join("");
}

/** `tsllm help COMMAND` text, or undefined when the name is not a client command. */
export function commandHelp(name: string): string | undefined {
  const c = findCommand(name);
  return c ? helpText(c.spec) : undefined;
}
