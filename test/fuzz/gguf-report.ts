/** Tallies of a GGUF fuzz run: outcomes overall and by mutation family, and the most common messages. */
import { BAD_OUTCOMES, type FileResult, type Outcome } from "./gguf-run.ts";

/** Counts and timings of a run. */
export interface FuzzReport {
  files: number;
  seconds: number;
  outcomes: Partial<Record<Outcome, number>>;
  byFamily: Record<string, Partial<Record<Outcome, number>>>;
  /** Slowest validation of a single file, ms. */
  maxValidateMs: number;
  /** Files whose outcome must never happen. */
  bad: FileResult[];
}

/** Builds the report of a finished run. */
export function report(results: readonly FileResult[], seconds: number): FuzzReport {
  const outcomes: FuzzReport["outcomes"] = {};
  const byFamily: FuzzReport["byFamily"] = {};
  for (const r of results) {
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    const f = (byFamily[r.family.split("+")[0] as string] ??= {});
    f[r.outcome] = (f[r.outcome] ?? 0) + 1;
  }
  return {
    files: results.length,
    seconds,
    outcomes,
    byFamily,
    maxValidateMs: results.reduce((m, r) => Math.max(m, r.validateMs), 0),
    bad: results.filter((r) => BAD_OUTCOMES.includes(r.outcome)),
  };
}

/** The `n` most frequent details of files with `outcome` (numbers folded so that similar messages group). */
export function topDetails(results: readonly FileResult[], outcome: Outcome, n = 8): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of results) {
    if (r.outcome !== outcome) continue;
    const key = r.detail.replace(/\d+/g, "N").slice(0, 160);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n);
}

/** A multi-line human summary. */
export function formatReport(r: FuzzReport, results: readonly FileResult[]): string {
  const lines = [
    `${r.files} files in ${r.seconds.toFixed(1)} s; slowest validation ${r.maxValidateMs.toFixed(1)} ms`,
    `outcomes: ${JSON.stringify(r.outcomes)}`,
    ...Object.entries(r.byFamily)
      .sort()
      .map(([f, o]) => `  ${f}: ${JSON.stringify(o)}`),
  ];
  for (const outcome of ["load-failed", "rejected"] as const) {
    lines.push(`top ${outcome} messages:`);
    for (const [msg, n] of topDetails(results, outcome)) lines.push(`  ${n} × ${msg}`);
  }
  for (const b of r.bad) lines.push(`BAD #${b.index} ${b.outcome} [${b.base}] ${b.label}: ${b.detail}`);
  return lines.join("\n");
}
