/** The `--verbose` timing block Ollama prints after an answer (on stderr). */
import { goDuration } from "./duration.ts";
import type { Metrics } from "./wire.ts";

/** Lines of the summary, each ending with a newline; empty fields are skipped as Ollama does. */
export function metricsSummary(m: Metrics): string {
  const lines: string[] = [];
  const rate = (count: number, ns: number) => `${(count / (ns / 1e9)).toFixed(2)} tokens/s`;
  if (m.total_duration) lines.push(`total duration:       ${goDuration(m.total_duration)}`);
  if (m.load_duration) lines.push(`load duration:        ${goDuration(m.load_duration)}`);
  if (m.prompt_eval_count) lines.push(`prompt eval count:    ${m.prompt_eval_count} token(s)`);
  if (m.prompt_eval_duration) {
    lines.push(`prompt eval duration: ${goDuration(m.prompt_eval_duration)}`);
    lines.push(`prompt eval rate:     ${rate(m.prompt_eval_count ?? 0, m.prompt_eval_duration)}`);
  }
  if (m.eval_count) lines.push(`eval count:           ${m.eval_count} token(s)`);
  if (m.eval_duration) {
    lines.push(`eval duration:        ${goDuration(m.eval_duration)}`);
    lines.push(`eval rate:            ${rate(m.eval_count ?? 0, m.eval_duration)}`);
  }
  return lines.map((l) => `${l}\n`).join("");
}
