/** keep_alive as Ollama accepts it: a number of seconds or a Go duration string; negative = forever. */
import { parseDurationMs } from "../config/duration.ts";
import { InvalidDurationError } from "./errors.ts";

/** Parses a Go duration ("5m", "1h30m", "-1.5h", "0"); a bare number counts as seconds. Throws 400. */
export function parseDuration(s: string): number {
  const ms = parseDurationMs(s);
  if (ms === null) throw new InvalidDurationError(s);
  return ms;
}

/** keep_alive in ms: undefined when absent (server default), -1 for any negative value (forever). */
export function keepAliveMs(value: unknown): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  let ms: number;
  if (typeof value === "number" && Number.isFinite(value)) ms = value * 1000;
  else if (typeof value === "string") ms = parseDuration(value);
  else throw new InvalidDurationError(value);
  return ms < 0 ? -1 : Math.round(ms);
}
