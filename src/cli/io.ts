/** The terminal a CLI command talks to: output streams, stdin, TTY facts and Ctrl+C; tests pass their own. */
import type { Env } from "../config/env.ts";

/** One output stream. */
export interface Writer {
  write(text: string): void;
  /** True when the stream is a terminal (enables spinners, bars, word wrap). */
  readonly isTTY: boolean;
  /** Terminal width in columns (80 when unknown). */
  readonly columns: number;
}

/** Everything a command needs from its process. */
export interface CliIO {
  readonly env: Env;
  readonly out: Writer;
  readonly err: Writer;
  /** Standard input: whether it is a terminal, and its whole content when it is not. */
  readonly stdin: { readonly isTTY: boolean; readAll(): Promise<string> };
  /** Calls `handler` on every Ctrl+C (SIGINT) until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

function writer(stream: NodeJS.WriteStream): Writer {
  return {
    write: (text) => void stream.write(text),
    get isTTY() {
      return Boolean(stream.isTTY);
    },
    get columns() {
      return stream.columns || 80;
    },
  };
}

/** The real process: stdout, stderr, stdin and SIGINT. */
export function processIO(env: Env): CliIO {
  return {
    env,
    out: writer(process.stdout),
    err: writer(process.stderr),
    stdin: {
      isTTY: Boolean(process.stdin.isTTY),
      readAll: async () => await new Response(Bun.stdin.stream()).text(),
    },
    onInterrupt(handler) {
      const h = () => handler();
      process.on("SIGINT", h);
      return () => void process.off("SIGINT", h);
    },
  };
}
