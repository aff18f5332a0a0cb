/**
 * `tsllm run MODEL [PROMPT]`: one answer for a prompt or piped stdin, else an interactive chat; an
 * embedding model prints the prompt's vector. Flags and flow follow Ollama's cmd.go RunHandler.
 */
import { ENV } from "../config/env.ts";
import { type RunOptions, generateOnce } from "./chat.ts";
import { defineCommand } from "./command.ts";
import { goDuration, parseGoDuration } from "./duration.ts";
import { type EmbedOptions, embedOnce } from "./embed.ts";
import { UsageError } from "./errors.ts";
import { type ParsedArgs, intFlag, stringFlag } from "./flags.ts";
import { ApiClient } from "./http.ts";
import type { CliIO } from "./io.ts";
import { type LineSource, terminalLines } from "./line-input.ts";
import { Progress } from "./progress.ts";
import { showOrPull } from "./registry.ts";
import { repl } from "./repl.ts";
import { type Think, inferThink, parseThinkFlag } from "./think.ts";
import type { ShowResponse } from "./wire.ts";

/** `--keepalive` as sent: a Go duration string, or -1 for a negative one (forever). */
function keepAliveFlag(p: ParsedArgs): string | number | undefined {
  const keepAlive = stringFlag(p, "keepalive");
  if (keepAlive === undefined || keepAlive === "") return undefined;
  let ns: number;
  try {
    ns = parseGoDuration(keepAlive);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return ns < 0 ? -1 : goDuration(ns);
}

/** `--format`: "json" or a JSON schema (any JSON value, sent as is). */
function formatFlag(p: ParsedArgs): unknown {
  const format = stringFlag(p, "format");
  if (!format) return undefined;
  if (format === "json") return "json";
  try {
    return JSON.parse(format);
  } catch {
    throw new UsageError(`invalid format: ${JSON.stringify(format)}; expected "json" or a JSON schema`);
  }
}

/** Session options from the run flags; word wrap only when writing to a terminal. */
export function runOptions(p: ParsedArgs, model: string, terminal: boolean): RunOptions {
  const think = parseThinkFlag(p.flags.think);
  return {
    model,
    options: {},
    messages: [],
    format: formatFlag(p),
    keepAlive: keepAliveFlag(p),
    wordWrap: terminal && p.flags.nowordwrap !== true,
    verbose: p.flags.verbose === true,
    think,
    thinkExplicit: think !== undefined,
    hideThinking: p.flags.hidethinking === true,
  };
}

/** The embedding flags: `--truncate` only when given, `--dimensions` only when positive. */
export function embedOptions(p: ParsedArgs, o: RunOptions): EmbedOptions {
  const truncate = p.flags.truncate;
  const dimensions = intFlag(p, "dimensions");
  return {
    keepAlive: o.keepAlive,
    ...(typeof truncate === "boolean" ? { truncate } : {}),
    ...(dimensions !== undefined && dimensions > 0 ? { dimensions } : {}),
  };
}

/** Loads a model with an empty generate request (a spinner meanwhile), so errors show before any prompt. */
async function loadRequest(client: ApiClient, io: CliIO, o: RunOptions, model: string, think?: Think) {
  const progress = new Progress(io.err);
  progress.spinner("");
  try {
    const body = {
      model,
      ...(o.keepAlive !== undefined ? { keep_alive: o.keepAlive } : {}),
      // Sent here so a model that cannot think fails before the first prompt.
      ...(think !== undefined ? { think } : {}),
    };
    for await (const _ of client.stream("/api/generate", body)) {
      // a single `done_reason: "load"` object
    }
  } finally {
    progress.stopAndClear();
  }
}

/** Shows and loads `model` for the REPL's /load; resolves to its think value (the session's is kept). */
export async function loadModel(
  client: ApiClient,
  io: CliIO,
  o: RunOptions,
  model: string,
): Promise<Think | undefined> {
  const info = await client.json<ShowResponse>("POST", "/api/show", { model });
  const think = inferThink(info.capabilities, o.thinkExplicit ? o.think : undefined);
  await loadRequest(client, io, o, model, think);
  return think;
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
  // A model the server lacks is pulled first, as Ollama's run does.
  const info = await showOrPull(client, io, model, p.flags.insecure === true);
  o.think = inferThink(info.capabilities, o.think);
  if (info.capabilities?.includes("embedding")) {
    const input = prompts.join(" ");
    if (!input)
      throw new UsageError(`embedding models require input text. Usage: tsllm run ${model} "your text here"`);
    await embedOnce(client, io, model, input, embedOptions(p, o));
    return 0;
  }
  if (info.capabilities?.includes("image"))
    throw new UsageError("image generation models are not currently supported");
  if (!interactive) {
    await generateOnce(client, io, o, prompts.join(" "), (h) => io.onInterrupt(h));
    return 0;
  }
  await loadRequest(client, io, o, model, o.think);
  for (const m of info.messages ?? []) {
    if (m.role === "user") io.out.write(`>>> ${m.content}\n`);
    else if (m.role === "assistant") io.out.write(`${m.content}\n\n`);
  }
  const lines = (deps.lines ?? terminalLines)();
  try {
    await repl({ client, io, o, lines, load: (name) => loadModel(client, io, o, name) }, lines);
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
      { name: "keepalive", type: "string", description: "Duration to keep a model loaded (e.g. 5m)" },
      { name: "verbose", type: "bool", description: "Show timings for response" },
      { name: "insecure", type: "bool", description: "Use an insecure registry" },
      { name: "nowordwrap", type: "bool", description: "Don't wrap words to the next line automatically" },
      { name: "format", type: "string", description: "Response format (e.g. json)" },
      {
        name: "think",
        type: "optional",
        description: "Enable thinking mode: true/false or high/medium/low for supported models",
      },
      { name: "hidethinking", type: "bool", description: "Hide thinking output (if provided)" },
      {
        name: "truncate",
        type: "bool",
        description:
          "For embedding models: truncate inputs exceeding context length (default: true). Set --truncate=false to error instead",
      },
      {
        name: "dimensions",
        type: "int",
        description: "Truncate output embeddings to specified dimension (embedding models only)",
      },
    ],
    env: [ENV.HOST.name, ENV.OLLAMA_HOST.name],
  },
  (p, io) => runMain(p, io),
);
