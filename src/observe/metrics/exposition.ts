/**
 * Prometheus text exposition format 0.0.4: value formatting and escaping. HELP text escapes `\` and line
 * feeds; label values escape `\`, `"` and line feeds; special values are `+Inf`, `-Inf` and `NaN`.
 */

/** The Content-Type of a /metrics answer. */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Whether `name` is a valid metric name. */
export const validMetricName = (name: string): boolean => METRIC_NAME.test(name);

/** Whether `name` is a valid label name (names starting with `__` are reserved). */
export const validLabelName = (name: string): boolean => LABEL_NAME.test(name) && !name.startsWith("__");

/** A sample value as the format writes it. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

/** A HELP line's text. */
export const escapeHelp = (s: string): string => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

/** A label value inside its double quotes. */
export const escapeLabelValue = (s: string): string =>
  s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** `{a="x",b="y"}` for the given names and values (plus an extra pair, e.g. `le`), or "" when there are none. */
export function labelSet(
  names: readonly string[],
  values: readonly string[],
  extra?: [string, string],
): string {
  const pairs = names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? "")}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

/** The two comment lines that open a metric family. */
export function familyHeader(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}
