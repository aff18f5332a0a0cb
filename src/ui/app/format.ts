/** Numbers as the page shows them: byte sizes, durations, rates, the CPU/GPU split of a loaded model. */

/** 1536 → "1.5 KB" (decimal units, as `ollama list` shows). */
export function bytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Milliseconds as "850 ms" or "1.2 s". */
export function millis(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Where a loaded model's memory is, as `ollama ps` says it: "100% GPU", "100% CPU" or "25%/75% CPU/GPU". */
export function processor(size: number, sizeVram: number): string {
  if (size <= 0 || sizeVram <= 0) return "100% CPU";
  if (sizeVram >= size) return "100% GPU";
  const gpu = Math.round((sizeVram / size) * 100);
  return `${100 - gpu}%/${gpu}% CPU/GPU`;
}

/** A timestamp relative to now: "in 4 minutes", "3 hours ago". */
export function relative(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return "";
  const s = Math.round((t - now) / 1000);
  const a = Math.abs(s);
  if (s > 10 * 365 * 86400) return "forever";
  const [n, unit] =
    a < 60
      ? [a, "second"]
      : a < 3600
        ? [Math.round(a / 60), "minute"]
        : a < 86400
          ? [Math.round(a / 3600), "hour"]
          : [Math.round(a / 86400), "day"];
  const text = `${n} ${unit}${n === 1 ? "" : "s"}`;
  return s >= 0 ? `in ${text}` : `${text} ago`;
}
