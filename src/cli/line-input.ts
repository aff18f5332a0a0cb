/**
 * Reading REPL lines on a terminal through node:readline (line editing, history). Ctrl+C at the prompt
 * is reported as INTERRUPT; Ctrl+C while a reply streams goes to the handler set with onInterrupt; a pasted
 * multi-line block is one message.
 */
import { createInterface, type Interface } from "node:readline";

/** Returned by `read` when Ctrl+C was pressed at the prompt. */
export const INTERRUPT = Symbol("interrupt");

/** Where the REPL gets its lines from. */
export interface LineSource {
  /** The next line; null at end of input (Ctrl+D); INTERRUPT on Ctrl+C at the prompt. */
  read(prompt: string): Promise<string | null | typeof INTERRUPT>;
  /** Routes Ctrl+C to `handler` (e.g. cancel a generation) until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
  /** Turns remembering entered lines (up-arrow recall) on or off. */
  setHistory?(enabled: boolean): void;
  close(): void;
}

/** A LineSource over the process's terminal. */
export function terminalLines(): LineSource {
  const rl: Interface = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const queue: (string | null)[] = [];
  let waiting: ((v: string | null | typeof INTERRUPT) => void) | undefined;
  let interruptHandler: (() => void) | undefined;
  const deliver = (v: string | null | typeof INTERRUPT) => {
    const w = waiting;
    waiting = undefined;
    if (w) w(v);
    else if (v !== INTERRUPT) queue.push(v);
  };
  // Bracketed paste: a pasted block arrives as one message (joined with newlines), sent on the next Enter.
  let pasting = false;
  let pasted = "";
  process.stdout.write("\x1b[?2004h");
  process.stdin.on("keypress", (_s: string, key?: { name?: string }) => {
    if (key?.name === "paste-start") pasting = true;
    else if (key?.name === "paste-end") pasting = false;
  });
  rl.on("line", (line) => {
    if (pasting) return void (pasted += `${line}\n`);
    deliver(pasted + line);
    pasted = "";
  });
  rl.on("close", () => deliver(null));
  rl.on("SIGINT", () => {
    if (interruptHandler) return interruptHandler();
    if (!waiting) return;
    const empty = rl.line === "";
    rl.write(null, { ctrl: true, name: "e" });
    rl.write(null, { ctrl: true, name: "u" });
    process.stdout.write(empty ? "\nUse Ctrl + d or /bye to exit.\n" : "\n");
    deliver(INTERRUPT);
  });
  return {
    read(prompt) {
      if (queue.length) return Promise.resolve(queue.shift() as string | null);
      return new Promise((res) => {
        waiting = res;
        rl.setPrompt(prompt);
        rl.prompt();
      });
    },
    onInterrupt(handler) {
      interruptHandler = handler;
      return () => {
        if (interruptHandler === handler) interruptHandler = undefined;
      };
    },
    setHistory(enabled) {
      // node:readline skips adding lines while historySize is 0; 30 is its default.
      const r = rl as unknown as { historySize: number };
      r.historySize = enabled ? 30 : 0;
    },
    close: () => {
      process.stdout.write("\x1b[?2004l");
      rl.close();
    },
  };
}
