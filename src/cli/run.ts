/** `tsllm run MODEL [PROMPT]`: one answer for a prompt or piped stdin, else an interactive chat. */
import { ENV } from "../config/env.ts";
import { type RunOptions, generateOnce } from "./chat.ts";
import { defineCommand } from "./command.ts";
import { goDuration, parseGoDuration } from "./duration.ts";
import { UsageError } from "./errors.ts";
import { type ParsedArgs, stringFlag } from "./flags.ts";
import { ApiClient } from "./http.ts";
import type { CliIO } from "./io.ts";
import { type LineSource, terminalLines } from "./line-input.ts";
import { Progress } from "./progress.ts";
import { repl } from "./repl.ts";
import type { ChatChunk, ShowResponse } from "./wire.ts";

/** Session options from the run flags; word wrap only when writing to a terminal. */
export function runOptions(p: ParsedArgs, model: string, terminal: boolean): RunOptions {
  const o: RunOptions = {
    model,
    options: {},
    messages: [],
    wordWrap: terminal && p.flags.nowordwrap !== true,
    verbose: p.flags.verbose === true,
    hideThinking: p.flags.hidethinking === true,
  };
  const format = stringFlag(p, "format");
  if (format === "json") o.format = "json";
  else if (format) {
    try {
      o.format = JSON.parse(format);
    } catch {
      throw new UsageError(`invalid format: ${JSON.stringify(format)}; expected "json" or a JSON schema`);
    }
  }
  const keepAlive = stringFlag(p, "keepalive");
  if (keepAlive !== undefined) {
    let ns: number;
    try {
      ns = parseGoDuration(keepAlive);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    o.keepAlive = ns < 0 ? -1 : goDuration(ns);
  }
  const think = p.flags.think;
  if (typeof think === "string" && !["true", "false", "high", "medium", "low", "max"].includes(think))
    throw new UsageError(
      `invalid value for --think: ${JSON.stringify(think)} (must be true, false, high, medium, low, or max)`,
    );
  return o;
}

/** Loads the model with an empty chat request (a spinner meanwhile), so errors show before any prompt. */
export async function loadModel(
  client: ApiClient,
  io: CliIO,
  o: RunOptions,
  model: string,
): Promise<ShowResponse> {
  const info = await client.json<ShowResponse>("POST", "/api/show", { model });
  const progress = new Progress(io.err);
  progress.spinner("");
  try {
    const body = { model, messages: [], ...(o.keepAlive !== undefined ? { keep_alive: o.keepAlive } : {}) };
    for await (const _ of client.stream<ChatChunk>("/api/chat", body)) {
      // a single `done_reason: "load"` object
    }
  } finally {
    progress.stopAndClear();
  }
  return info;
}

/** Options for tests: a scripted line source instead of the terminal. */
export interface RunDeps {
  lines?: () => LineSource;
}

/** Runs the command body (exported for tests that inject a line source). */
export async function runMain(p: ParsedArgs, io: CliIO, deps: RunDeps = {}): Promise<number> {
  const [model, ...words] = p.args as [string, ...string[]];
  const prompts = [...words];
  if (!io.stdin.isTTY) {
    const piped = await io.stdin.readAll();
    if (piped) prompts.unshift(piped);
  }
  const interactive = prompts.length === 0 && io.stdin.isTTY && io.out.isTTY;
  const o = runOptions(p, model, io.out.isTTY);
  const client = new ApiClient(io.env);
  if (!interactive) {
    await client.json<ShowResponse>("POST", "/api/show", { model });
    await generateOnce(client, io, o, prompts.join(" "), (h) => io.onInterrupt(h));
    return 0;
  }
  const info = await loadModel(client, io, o, model);
  for (const m of info.messages ?? []) {
    if (m.role === "user") io.out.write(`>>> ${m.content}\n`);
    else if (m.role === "assistant") io.out.write(`${m.content}\n\n`);
  }
  const lines = (deps.lines ?? terminalLines)();
  try {
    await repl({ client, io, o, load: (name) => loadModel(client, io, o, name) }, lines);
  } finally {
    lines.close();
  }
  return 0;
}

/** The run command. */
export const runCommand = defineCommand(
  {
    name: "run",
    usage: "MODEL [PROMPT]",
    summary: "Run a model",
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    flags: [
      { name: "format", type: "string", description: 'Response format (e.g. "json")' },
      { name: "keepalive", type: "string", description: "Duration to keep a model loaded (e.g. 5m)" },
      { name: "verbose", type: "bool", description: "Show timings for response" },
      { name: "nowordwrap", type: "bool", description: "Don't wrap words to the next line automatically" },
      {
        name: "think",
        type: "optional",
        description: "Accepted for compatibility; thinking is not requested",
      },
      { name: "hidethinking", type: "bool", description: "Hide thinking output (if provided)" },
      { name: "insecure", type: "bool", description: "Use an insecure registry (unused)" },
    ],
    env: [ENV.HOST.name],
  },
  (p, io) => runMain(p, io),
);
