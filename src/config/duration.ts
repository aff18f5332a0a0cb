/** Go's duration syntax, which Ollama (and so tsllm) uses for keep_alive and time settings. */

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 6e10,
  h: 3.6e12,
};

const BARE_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** True for a plain number without a unit ("30", "-1", "1.5"). */
export function isBareNumber(text: string): boolean {
  return BARE_NUMBER.test(text.trim());
}

/** Parses "5m", "1h30m", "-1.5h", "250ms" or "0" into nanoseconds; null when it is not a Go duration. */
export function parseGoDurationNs(text: string): number | null {
  const s = text.trim();
  if (s === "0" || s === "+0" || s === "-0") return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (!m) return null;
  let total = 0;
  for (const part of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g))
    total += Number(part[1]) * (UNIT_NS[part[2] as string] as number);
  return m[1] === "-" ? -total : total;
}

/** A Go duration or a bare number of seconds, in milliseconds; null when it is neither. */
export function parseDurationMs(text: string): number | null {
  if (isBareNumber(text)) return Number(text.trim()) * 1000;
  const ns = parseGoDurationNs(text);
  return ns === null ? null : ns / 1e6;
}
