/** Slash commands of the interactive session: /set, /show, /load, /save, /clear, /list, /?, /bye. */
import { PARAMETER_TYPES, parseParameter } from "../modelfile/index.ts";
import type { RunOptions } from "./chat.ts";
import { ApiError } from "./errors.ts";
import type { ApiClient } from "./http.ts";
import type { CliIO } from "./io.ts";
import type { LineSource } from "./line-input.ts";
import { listCommand } from "./list.ts";
import { USAGE, USAGE_PARAMETERS, USAGE_SET, USAGE_SHORTCUTS, USAGE_SHOW } from "./repl-help.ts";
import { showInfo } from "./show-info.ts";
import { isThinkError, type Think } from "./think.ts";
import type { ShowResponse } from "./wire.ts";

/** What the session needs to run a slash command. */
export interface ReplContext {
  client: ApiClient;
  io: CliIO;
  o: RunOptions;
  /** Where lines come from (for /set history). */
  lines?: LineSource;
  /** Shows and loads a model; resolves to the think value for it; throws like the server does. */
  load(model: string): Promise<Think | undefined>;
}

/** "exit" to leave, `{ system }` to start a multi-line system message, undefined to continue. */
export type SlashResult = "exit" | { system: string } | undefined | void;

/** Sets the system message: replaces a trailing system message in the history, else appends one. */
export function setSystem(o: RunOptions, text: string): void {
  o.system = text;
  const msg = { role: "system", content: text };
  if (o.messages.at(-1)?.role === "system") o.messages[o.messages.length - 1] = msg;
  else o.messages.push(msg);
}

/** Go's %v of a parameter value. */
function goValue(v: unknown): string {
  return Array.isArray(v) ? `[${v.join(" ")}]` : String(v);
}

/** `/set think [level]` and `/set nothink`, with Ollama's warning for a model that cannot think. */
async function setThink(args: string[], ctx: ReplContext): Promise<void> {
  const { io, o } = ctx;
  const level = args[1] === "think" ? args[2] : undefined;
  o.think = args[1] === "nothink" ? false : (level ?? true);
  o.thinkExplicit = true;
  try {
    const r = await ctx.client.json<ShowResponse>("POST", "/api/show", { model: o.model });
    if (!r?.capabilities?.includes("thinking"))
      io.err.write(`warning: model ${JSON.stringify(o.model)} does not support thinking output\n`);
  } catch {
    // best effort, as Ollama's ensureThinkingSupport
  }
  if (args[1] === "nothink") io.out.write("Set 'nothink' mode.\n");
  else io.out.write(level ? `Set 'think' mode to '${level}'.\n` : "Set 'think' mode.\n");
}

function setCommand(line: string, args: string[], ctx: ReplContext): SlashResult | Promise<void> {
  const { io, o } = ctx;
  const say = (s: string) => io.out.write(`${s}\n`);
  switch (args[1]) {
    case undefined:
      io.err.write(USAGE_SET);
      return;
    case "wordwrap":
    case "nowordwrap":
      o.wordWrap = args[1] === "wordwrap";
      return say(`Set '${args[1]}' mode.`);
    case "verbose":
    case "quiet":
      o.verbose = args[1] === "verbose";
      return say(`Set '${args[1]}' mode.`);
    case "history":
    case "nohistory":
      // Ollama toggles readline history without a word.
      return void ctx.lines?.setHistory?.(args[1] === "history");
    case "think":
    case "nothink":
      return setThink(args, ctx);
    case "format":
      if (args[2] !== "json") return say("Invalid or missing format. For 'json' mode use '/set format json'");
      o.format = "json";
      return say("Set format to 'json' mode.");
    case "noformat":
      o.format = undefined;
      return say("Disabled format.");
    case "parameter": {
      const [name, ...values] = args.slice(2);
      if (!name || values.length === 0) return void io.err.write(USAGE_PARAMETERS);
      try {
        o.options[name] =
          PARAMETER_TYPES[name] === "string[]" ? values : parseParameter(name, values[0] as string);
      } catch (e) {
        return say(`Couldn't set parameter: ${JSON.stringify((e as Error).message)}`);
      }
      return say(`Set parameter '${name}' to '${values.join(", ")}'`);
    }
    case "system": {
      const text = line.replace(/^\s*\/set\s+system\s*/, "");
      if (!text) return void io.err.write(USAGE_SET);
      if (text.startsWith('"""')) {
        const rest = text.slice(3);
        if (!rest.endsWith('"""') || rest.length < 3) return { system: rest };
        setSystem(o, rest.slice(0, -3));
      } else setSystem(o, text);
      return say("Set system message.");
    }
    default:
      return say(`Unknown command '/set ${args[1]}'. Type /? for help`);
  }
}

async function showCommand(args: string[], ctx: ReplContext): Promise<void> {
  const { io, o } = ctx;
  if (!args[1]) return void io.err.write(USAGE_SHOW);
  const r = await ctx.client.json<ShowResponse>("POST", "/api/show", {
    model: o.model,
    ...(o.system ? { system: o.system } : {}),
    options: o.options,
  });
  const say = (s: string) => io.out.write(`${s}\n`);
  switch (args[1]) {
    case "info":
      return void io.err.write(showInfo(r, false));
    case "license":
      return say(r.license || "No license was specified for this model.");
    case "modelfile":
      return say(r.modelfile ?? "");
    case "parameters": {
      say("Model defined parameters:");
      if (!r.parameters) say("  No additional parameters were specified for this model.");
      else for (const l of r.parameters.split("\n")) say(`  ${l}`);
      say("");
      const user = Object.entries(o.options);
      if (user.length) {
        say("User defined parameters:");
        for (const [k, v] of user) say(`  ${k.padEnd(30)} ${goValue(v)}`);
        say("");
      }
      return;
    }
    case "system":
      if (o.system || r.system) return say(`${o.system || r.system}\n`);
      return say("No system message was specified for this model.");
    case "template":
      return say(r.template || "No prompt template was specified for this model.");
    default:
      return say(`Unknown command '/show ${args[1]}'. Type /? for help`);
  }
}

async function loadCommand(args: string[], ctx: ReplContext): Promise<void> {
  const { io, o } = ctx;
  if (args.length !== 2) return void io.out.write("Usage:\n  /load <modelname>\n");
  const model = args[1] as string;
  io.out.write(`Loading model '${model}'\n`);
  let think: Think | undefined;
  try {
    think = await ctx.load(model);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (/not found/i.test(e.message)) return void io.out.write(`Couldn't find model '${model}'\n`);
    if (isThinkError(e.message)) return void io.out.write(`error: ${e.message}\n`);
    throw e;
  }
  o.model = model;
  o.think = think;
  o.messages = [];
}

async function saveCommand(args: string[], ctx: ReplContext): Promise<void> {
  const { io, o } = ctx;
  if (args.length !== 2) return void io.out.write("Usage:\n  /save <modelname>\n");
  const body = {
    model: args[1],
    from: o.model,
    ...(o.system ? { system: o.system } : {}),
    ...(Object.keys(o.options).length ? { parameters: o.options } : {}),
    ...(o.messages.length ? { messages: o.messages } : {}),
  };
  for await (const _ of ctx.client.stream("/api/create", body)) {
    // progress is not shown for /save
  }
  io.out.write(`Created new model '${args[1]}'\n`);
}

/** Runs one slash command line. */
export async function slashCommand(line: string, ctx: ReplContext): Promise<SlashResult> {
  const args = line.trim().split(/\s+/);
  const { io, o } = ctx;
  const cmd = args[0] as string;
  if (cmd === "/bye" || cmd === "/exit") return "exit";
  if (cmd === "/set") return await setCommand(line, args, ctx);
  if (cmd === "/show") return void (await showCommand(args, ctx));
  if (cmd === "/load") return void (await loadCommand(args, ctx));
  if (cmd === "/save") return void (await saveCommand(args, ctx));
  if (cmd === "/list") return void (await listCommand.run(args.slice(1), io));
  if (cmd === "/clear") {
    o.messages = o.system ? [{ role: "system", content: o.system }] : [];
    return void io.out.write("Cleared session context\n");
  }
  if (cmd === "/?" || cmd === "/help") {
    const topic = args[1]?.replace(/^\//, "");
    if (topic === "set") io.err.write(USAGE_SET);
    else if (topic === "show") io.err.write(USAGE_SHOW);
    else if (topic === "shortcut" || topic === "shortcuts") io.err.write(USAGE_SHORTCUTS);
    else io.err.write(USAGE);
    return;
  }
  io.out.write(`Unknown command '${cmd}'. Type /? for help\n`);
}
