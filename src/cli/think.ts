/** The `think` value the CLI sends: `--think[=level]`, `/set think`, or the default from capabilities. */
import { UsageError } from "./errors.ts";

/** What goes into a request's `think`: a bool or a level ("high", …; the server checks it). */
export type Think = boolean | string;

const LEVELS = ["high", "medium", "low", "max"];

/** `--think` (bare or empty: true), `--think=false`, `--think=high|medium|low|max`; undefined when absent. */
export function parseThinkFlag(value: string | boolean | undefined): Think | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === "" || value === "true") return true;
  if (value === false || value === "false") return false;
  if (LEVELS.includes(value)) return value;
  throw new UsageError(
    `invalid value for --think: ${JSON.stringify(value)} (must be true, false, high, medium, low, or max)`,
  );
}

/**
 * The think value for a model: the user's choice when they made one, else `true` for a model with the
 * "thinking" capability, else nothing (which differs from false: the model's own default applies).
 */
export function inferThink(
  capabilities: readonly string[] | undefined,
  explicit: Think | undefined,
): Think | undefined {
  if (explicit !== undefined) return explicit;
  return capabilities?.includes("thinking") ? true : undefined;
}

/** True for a server error that rejects the think value (the REPL reports it and goes on). */
export function isThinkError(message: string): boolean {
  return message.includes("does not support thinking") || message.includes("invalid think value");
}
