/** Sizes and durations as limit messages show them ("64 MiB", "70.0 MiB", "60s"). */

const UNITS = ["bytes", "KiB", "MiB", "GiB", "TiB"];

/** A byte count in binary units: whole numbers plain ("64 MiB"), others with one decimal ("70.0 MiB"). */
export function sizeText(bytes: number): string {
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${bytes} ${bytes === 1 ? "byte" : "bytes"}`;
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${UNITS[i]}`;
}

/** Milliseconds as Go prints a short duration: "60s", "1.5s", "250ms", "5m0s" past a minute. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${Number.isInteger(s) ? s : Number(s.toFixed(3))}s`;
  const m = Math.floor(s / 60);
  return `${m}m${Number((s - m * 60).toFixed(3))}s`;
}
