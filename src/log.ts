import { ENV, Env } from "./config/env.ts";

/** Log levels, lowest first. */
export type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A tiny structured logger on stderr. Prompt/completion text may only go through `debug`. */
export class Logger {
  constructor(
    private readonly min: Level,
    private readonly scope = "",
  ) {}

  /** A logger whose lines carry a scope prefix. */
  child(scope: string): Logger {
    return new Logger(this.min, this.scope ? `${this.scope}.${scope}` : scope);
  }

  /** True when debug lines are written. */
  get debugEnabled(): boolean {
    return this.min === "debug";
  }

  /** Writes one line if `level` is enabled. */
  log(level: Level, msg: string, fields?: Record<string, unknown>): void {
    if (order[level] < order[this.min]) return;
    const extra = fields
      ? ` ${Object.entries(fields)
          .map(([k, v]) => `${k}=${fmt(v)}`)
          .join(" ")}`
      : "";
    const scope = this.scope ? ` ${this.scope}` : "";
    process.stderr.write(
      `time=${new Date().toISOString()} level=${level.toUpperCase()}${scope} msg=${JSON.stringify(msg)}${extra}\n`,
    );
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log("debug", msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log("info", msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log("warn", msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.log("error", msg, fields);
  }
}

function fmt(v: unknown): string {
  return typeof v === "string" && !/[\s"=]/.test(v) ? v : JSON.stringify(v);
}

/** The process logger: debug when TSLLM_DEBUG is set. */
export function createLogger(env = new Env()): Logger {
  return new Logger(env.bool(ENV.DEBUG) ? "debug" : "info");
}
