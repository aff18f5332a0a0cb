/** Human formats the Ollama CLI prints: sizes ("4.7 GB"), times ("2 days ago", "Forever"), Go durations. */
import { isBareNumber, parseGoDurationNs } from "../config/duration.ts";

/** Decimal size like Ollama's format.HumanBytes: "512 B", "1.5 KB", "4.7 GB", "13 GB". */
export function humanBytes(b: number): string {
  const units: [number, string][] = [
    [1e12, "TB"],
    [1e9, "GB"],
    [1e6, "MB"],
    [1e3, "KB"],
  ];
  for (const [size, unit] of units) {
    if (b < size) continue;
    const v = b / size;
    if (v >= 10 || Number.isInteger(v)) return `${Math.trunc(v)} ${unit}`;
    return `${v.toFixed(1)} ${unit}`;
  }
  return `${Math.trunc(b)} B`;
}

/** Approximate length of a span, e.g. "Less than a second", "About a minute", "4 hours", "2 days". */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** "4 minutes from now", "2 days ago", "Forever" (over 20 years ahead, or null), `zero` for a missing time. */
export function humanTime(t: string | Date | null | undefined, zero: string, now = Date.now()): string {
  if (t === null) return "Forever";
  if (t === undefined || t === "") return zero;
  const when = new Date(t).getTime();
  if (Number.isNaN(when) || when <= -62135596800000) return zero; // Go's zero time 0001-01-01
  const delta = now - when;
  if (delta / 3_600_000 / 24 / 365 < -20) return "Forever";
  return delta < 0 ? `${humanDuration(-delta)} from now` : `${humanDuration(delta)} ago`;
}

/** Digits of `n / unit` with trailing zeros dropped, e.g. (1500000, 1e6) → "1.5". */
function frac(n: number, unit: number, digits: number): string {
  const whole = Math.trunc(n / unit);
  const rest = String(n % unit)
    .padStart(digits, "0")
    .replace(/0+$/, "");
  return rest ? `${whole}.${rest}` : String(whole);
}

/** A nanosecond count as Go's time.Duration.String prints it: "1.2s", "350.5ms", "2m3.5s", "1h0m0s". */
export function goDuration(ns: number): string {
  const n = Math.round(Math.abs(ns));
  const sign = ns < 0 ? "-" : "";
  if (n === 0) return "0s";
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${frac(n, 1e3, 3)}µs`;
  if (n < 1e9) return `${sign}${frac(n, 1e6, 6)}ms`;
  const h = Math.trunc(n / 3.6e12);
  const m = Math.trunc((n % 3.6e12) / 6e10);
  const s = `${frac(n % 6e10, 1e9, 9)}s`;
  if (h > 0) return `${sign}${h}h${m}m${s}`;
  if (m > 0) return `${sign}${m}m${s}`;
  return sign + s;
}

/** Parses a Go duration ("5m", "1h30m", "-1s", "0") into nanoseconds; throws a message like Go's time.ParseDuration. */
export function parseGoDuration(text: string): number {
  const ns = parseGoDurationNs(text);
  if (ns !== null) return ns;
  if (isBareNumber(text)) throw new Error(`time: missing unit in duration "${text}"`);
  throw new Error(`time: invalid duration "${text}"`);
}
