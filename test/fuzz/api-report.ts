/**
 * Human-readable fuzz results: counts by route and status class, and each failure with a reproducer (the
 * request as a curl line; bodies that are long or binary are written to a file the line reads).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FuzzRequest } from "./api-gen.ts";
import type { RunReport } from "./api-run.ts";

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** True when `b` is UTF-8 text safe to paste inside single quotes. */
function printable(b: Uint8Array): boolean {
  try {
    const s = new TextDecoder("utf-8", { fatal: true }).decode(b);
    return !/[\u0000-\u0008\u000b-\u001f\u007f\ud800-\udfff]/.test(s);
  } catch {
    return false;
  }
}

/** The request as a curl command; a body over `inlineMax` bytes or not printable goes to a file in `dir`. */
export function curlLine(
  url: string,
  req: FuzzRequest,
  seed: number,
  dir?: string,
  inlineMax = 2000,
): string {
  const parts = ["curl -sS --path-as-is -g"];
  parts.push(req.method === "HEAD" ? "-I" : `-X ${req.method}`);
  parts.push(quote(`${url}${req.path}`));
  for (const [k, v] of Object.entries(req.headers)) {
    const repeated = v.length > 200 && v === (v[0] as string).repeat(v.length);
    if (repeated)
      parts.push(`-H "${k}: $(head -c ${v.length} /dev/zero | tr '\\0' ${quote(v[0] as string)})"`);
    else parts.push(`-H ${quote(`${k}: ${v}`)}`);
  }
  const b = req.body;
  if (b !== undefined) {
    if (b.length <= inlineMax && printable(b))
      parts.push(`--data-binary ${quote(new TextDecoder().decode(b))}`);
    else if (dir) {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `request-${seed}-${req.index}.body`);
      writeFileSync(file, b);
      parts.push(`--data-binary @${file}`);
    } else
      parts.push(
        `--data-binary @request.body  # ${b.length} bytes: rebuild with --seed ${seed} --only ${req.index}`,
      );
  }
  return parts.join(" ");
}

/** The counts table: one row per route, columns 2xx/4xx/5xx/none. */
export function countsTable(r: RunReport): string {
  const cols = ["2xx", "4xx", "5xx", "none"];
  const rows = [...r.counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(10, ...rows.map(([k]) => k.length));
  const line = (name: string, cells: (string | number)[]) =>
    `${name.padEnd(width)} ${cells.map((c) => String(c).padStart(6)).join(" ")}`;
  const total = cols.map((c) => rows.reduce((n, [, v]) => n + (v[c] ?? 0), 0));
  return [
    line("route", cols),
    ...rows.map(([k, v]) =>
      line(
        k,
        cols.map((c) => v[c] ?? 0),
      ),
    ),
    line("total", total),
  ].join("\n");
}

/** Every failure with its labels, the observed answer and a reproducer. */
export function failureList(url: string, r: RunReport, seed: number, dir?: string): string {
  return r.failures
    .map((f, i) => {
      const q = f.request;
      const seen = f.outcome
        ? `\n   answer: ${f.outcome.status || "none"} ${f.outcome.contentType} ${JSON.stringify(f.outcome.sample.slice(0, 200))}`
        : "";
      return [
        `#${i + 1} ${q.route} [request ${q.index}: ${q.labels.join("; ") || "unmutated"}]`,
        `   ${f.problem.slice(0, 400)}${seen}`,
        `   ${curlLine(url, q, seed, dir)}`,
        `   rebuild: bun scripts/fuzz-api.ts --seed ${seed} --only ${q.index}`,
      ].join("\n");
    })
    .join("\n");
}

/** The slowest requests, one line each. */
export function slowestList(r: RunReport): string {
  return r.slowest
    .map(
      (x) =>
        `${(x.ms / 1000).toFixed(1).padStart(6)} s  ${x.request.route} [request ${x.request.index}: ${x.request.labels.join("; ").slice(0, 120) || "unmutated"}]`,
    )
    .join("\n");
}
