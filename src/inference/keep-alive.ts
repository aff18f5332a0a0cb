/** keep_alive as Ollama accepts it: a number of seconds or a Go duration string; negative = forever. */
import { InvalidDurationError } from "./errors.ts";

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration ("5m", "1h30m", "-1.5h", "0"); a bare number counts as seconds. Throws 400. */
export function parseDuration(s: string): number {
  const text = s.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (!m) throw new InvalidDurationError(s);
  let ms = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    ms += Number(part[1]) * (UNIT_MS[part[2] as string] as number);
  }
  return m[1] === "-" ? -ms : ms;
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
