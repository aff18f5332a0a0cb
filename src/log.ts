import { ENV, Env } from "./config/env.ts";

/** Log levels, lowest first. */
export type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** How a line is written: `key=value` text, or one JSON object per line (TSLLM_LOG_FORMAT=json). */
export type LogFormat = "text" | "json";

/** A tiny structured logger on stderr. Prompt/completion text may only go through `debug`. */
export class Logger {
  constructor(
    private readonly min: Level,
    private readonly scope = "",
    private readonly format: LogFormat = "text",
  ) {}

  /** A logger whose lines carry a scope prefix. */
  child(scope: string): Logger {
    return new Logger(this.min, this.scope ? `${this.scope}.${scope}` : scope, this.format);
  }

  /** True when lines at `level` are written. */
  enabled(level: Level): boolean {
    return order[level] >= order[this.min];
  }

  /** True when debug lines are written. */
  get debugEnabled(): boolean {
    return this.min === "debug";
  }

  /** Writes one line if `level` is enabled. */
  log(level: Level, msg: string, fields?: Record<string, unknown>): void {
    if (order[level] < order[this.min]) return;
    if (this.format === "json") {
      process.stderr.write(`${jsonLine(level, this.scope, msg, fields)}\n`);
      return;
    }
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

/** One JSON log line: time, level, scope, msg, then the fields (a field never replaces those four). */
function jsonLine(level: Level, scope: string, msg: string, fields?: Record<string, unknown>): string {
  const line: Record<string, unknown> = { time: new Date().toISOString(), level: level.toUpperCase() };
  if (scope) line.scope = scope;
  line.msg = msg;
  if (fields) for (const [k, v] of Object.entries(fields)) if (!(k in line) && k !== "scope") line[k] = v;
  return JSON.stringify(line, (_k, v) => (v instanceof Error ? String(v) : v));
}

/** The process logger: debug when TSLLM_DEBUG is set; TSLLM_LOG_FORMAT picks text or json lines. */
export function createLogger(env = new Env()): Logger {
  const level: Level = env.bool(ENV.DEBUG) ? "debug" : "info";
  const format = env.get(ENV.LOG_FORMAT).trim().toLowerCase();
  const logger = new Logger(level, "", format === "json" ? "json" : "text");
  if (format !== "json" && format !== "text" && format !== "")
    logger.warn("unknown log format, using text", { name: ENV.LOG_FORMAT.name, value: format });
  return logger;
}
