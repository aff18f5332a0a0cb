/** One streamed answer: /api/chat for the REPL, /api/generate for a one-shot prompt. */
import { ResponseDisplay } from "./display.ts";
import type { ApiClient } from "./http.ts";
import type { CliIO } from "./io.ts";
import { Progress } from "./progress.ts";
import { metricsSummary } from "./stats.ts";
import type { ChatChunk, GenerateChunk, Message, Metrics } from "./wire.ts";

/** Session settings shared by one-shot runs and the REPL. */
export interface RunOptions {
  model: string;
  /** "json" or a JSON-schema object; undefined for free text. */
  format?: unknown;
  /** Go duration string ("5m0s") or -1 for forever. */
  keepAlive?: string | number;
  options: Record<string, unknown>;
  system?: string;
  messages: Message[];
  wordWrap: boolean;
  verbose: boolean;
  hideThinking: boolean;
}

/** Routes Ctrl+C to a handler until the returned function is called. */
export type InterruptHook = (handler: () => void) => () => void;

function common(o: RunOptions) {
  return {
    model: o.model,
    ...(o.format !== undefined ? { format: o.format } : {}),
    options: o.options,
    ...(o.keepAlive !== undefined ? { keep_alive: o.keepAlive } : {}),
  };
}

/** Runs a stream with a waiting spinner and Ctrl+C cancellation; false when cancelled. */
async function streamed<T extends Metrics>(
  io: CliIO,
  onInterrupt: InterruptHook,
  open: (signal: AbortSignal) => AsyncGenerator<T>,
  each: (chunk: T) => void,
): Promise<T | undefined> {
  const progress = new Progress(io.err);
  progress.spinner("");
  const ac = new AbortController();
  const off = onInterrupt(() => ac.abort());
  let last: T | undefined;
  try {
    for await (const chunk of open(ac.signal)) {
      progress.stopAndClear();
      last = chunk;
      each(chunk);
    }
  } catch (e) {
    if (!ac.signal.aborted) throw e;
    return undefined;
  } finally {
    off();
    progress.stopAndClear();
  }
  return ac.signal.aborted ? undefined : last;
}

/** Sends the conversation to /api/chat and streams the reply; undefined when cancelled with Ctrl+C. */
export async function chatOnce(
  client: ApiClient,
  io: CliIO,
  o: RunOptions,
  onInterrupt: InterruptHook,
): Promise<Message | undefined> {
  const display = new ResponseDisplay(io.out, o.wordWrap, o.hideThinking);
  let content = "";
  let thinking = "";
  let role = "assistant";
  const body = { ...common(o), messages: o.messages };
  const last = await streamed(
    io,
    onInterrupt,
    (signal) => client.stream<ChatChunk>("/api/chat", body, signal),
    (c) => {
      role = c.message?.role || role;
      thinking += c.message?.thinking ?? "";
      content += c.message?.content ?? "";
      display.thinking(c.message?.thinking ?? "");
      display.content(c.message?.content ?? "");
    },
  );
  if (!last) {
    io.out.write("\n");
    return undefined;
  }
  if (o.messages.length > 0) io.out.write("\n\n");
  if (o.verbose) io.err.write(metricsSummary(last));
  return { role, content, ...(thinking ? { thinking } : {}) };
}

/** Sends one prompt to /api/generate and streams the answer; false when cancelled with Ctrl+C. */
export async function generateOnce(
  client: ApiClient,
  io: CliIO,
  o: RunOptions,
  prompt: string,
  onInterrupt: InterruptHook,
): Promise<boolean> {
  const display = new ResponseDisplay(io.out, o.wordWrap, o.hideThinking);
  const body = { ...common(o), prompt, ...(o.system ? { system: o.system } : {}) };
  const last = await streamed(
    io,
    onInterrupt,
    (signal) => client.stream<GenerateChunk>("/api/generate", body, signal),
    (c) => {
      display.thinking(c.thinking ?? "");
      display.content(c.response ?? "");
    },
  );
  if (!last) return false;
  if (prompt) io.out.write("\n\n");
  if (o.verbose && last.done) io.err.write(metricsSummary(last));
  return true;
}
