/** One streamed answer: /api/chat for the REPL, /api/generate for a one-shot prompt. */
import { type Piece, ResponseDisplay } from "./display.ts";
import type { ApiClient } from "./http.ts";
import type { CliIO } from "./io.ts";
import { Progress } from "./progress.ts";
import { metricsSummary } from "./stats.ts";
import type { Think } from "./think.ts";
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
  /** Sent as `think`; undefined leaves it out (the model's default). */
  think?: Think;
  /** The user chose `think` (--think, /set think, /set nothink): capabilities no longer decide it. */
  thinkExplicit: boolean;
  /** Thinking is still requested but not printed. */
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
    ...(o.think !== undefined ? { think: o.think } : {}),
  };
}

/**
 * Runs a stream with a waiting spinner and Ctrl+C cancellation, rendering each chunk's piece; undefined
 * when cancelled. The spinner stays up through hidden thinking, until the answer starts.
 */
async function streamed<T extends Metrics>(
  io: CliIO,
  o: RunOptions,
  onInterrupt: InterruptHook,
  open: (signal: AbortSignal) => AsyncGenerator<T>,
  piece: (chunk: T) => Piece,
): Promise<T | undefined> {
  const display = new ResponseDisplay(io.out, o.wordWrap, o.hideThinking);
  const progress = new Progress(io.err);
  progress.spinner("");
  const ac = new AbortController();
  const off = onInterrupt(() => ac.abort());
  let last: T | undefined;
  try {
    for await (const chunk of open(ac.signal)) {
      const p = piece(chunk);
      if (p.content || p.toolCalls?.length || !o.hideThinking) progress.stopAndClear();
      last = chunk;
      display.push(p);
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
  let content = "";
  let thinking = "";
  let role = "assistant";
  const body = { ...common(o), messages: o.messages };
  const last = await streamed(
    io,
    o,
    onInterrupt,
    (signal) => client.stream<ChatChunk>("/api/chat", body, signal),
    (c) => {
      role = c.message?.role || role;
      thinking += c.message?.thinking ?? "";
      content += c.message?.content ?? "";
      return {
        thinking: c.message?.thinking,
        content: c.message?.content,
        toolCalls: c.message?.tool_calls,
      };
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
  const body = { ...common(o), prompt, ...(o.system ? { system: o.system } : {}) };
  const last = await streamed(
    io,
    o,
    onInterrupt,
    (signal) => client.stream<GenerateChunk>("/api/generate", body, signal),
    (c) => ({ thinking: c.thinking, content: c.response, toolCalls: c.tool_calls }),
  );
  if (!last) return false;
  if (prompt) io.out.write("\n\n");
  if (o.verbose && last.done) io.err.write(metricsSummary(last));
  return true;
}
