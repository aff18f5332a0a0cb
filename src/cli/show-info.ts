/** The default `tsllm show` view: Model, Capabilities, Projector, Parameters, Metadata, Tensors, System, License. */
import { humanNumber } from "../scheduler/ps.ts";
import { renderTable } from "./table.ts";
import type { ShowResponse } from "./wire.ts";

function section(title: string, rows: string[][], colWidth = 30): string {
  return `  ${title}\n${renderTable(rows, { colWidth })}\n`;
}

/** Go's %v of a JSON value (arrays as `[a b c]`, numbers as %g). */
function goValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goValue).join(" ")}]`;
  if (typeof v === "number") return goFloat(v);
  return String(v);
}

/** Go's shortest %g of a float64: exponent form ("8e+09") when the exponent is below -4 or at least 6. */
export function goFloat(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const [mant, expText] = v.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  if (exp >= -4 && exp < 6) return String(v);
  return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** A metadata value cut to fit a 10-character column, as `ollama show -v` does for arrays. */
function metadataValue(v: unknown): string {
  if (typeof v === "boolean" || typeof v === "string") return String(v);
  if (typeof v === "number") return goFloat(v);
  if (!Array.isArray(v)) return typeof v;
  let shown = 0;
  let width = 1;
  for (const [i, item] of v.entries()) {
    const w = goValue(item).length + (i > 0 ? 2 : 0);
    if (width + w > 10 && i > 0) break;
    width += w;
    shown++;
  }
  if (shown >= v.length) return goValue(v);
  return `${goValue(v.slice(0, shown)).slice(0, -1)} ...+${v.length - shown} more]`;
}

/** The first `n` non-empty lines of `text`, then "..." when there are more. */
function head(text: string, n: number): string[][] {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const rows = lines.slice(0, n).map((l) => ["", l]);
  if (lines.length > n) rows.push(["", "..."]);
  return rows;
}

/** Renders the info view of a /api/show reply. */
export function showInfo(r: ShowResponse, verbose: boolean): string {
  const d = r.details ?? {};
  const info = r.model_info;
  const model: string[][] = [];
  if (info) {
    const arch =
      typeof info["general.architecture"] === "string" ? (info["general.architecture"] as string) : "";
    if (arch) model.push(["", "architecture", arch]);
    const count = info["general.parameter_count"];
    const params = d.parameter_size || (typeof count === "number" ? humanNumber(count) : "");
    if (params) model.push(["", "parameters", params]);
    for (const [key, label] of [
      ["context_length", "context length"],
      ["embedding_length", "embedding length"],
    ] as const) {
      const v = info[`${arch}.${key}`];
      if (typeof v === "number") model.push(["", label, String(v)]);
    }
  } else model.push(["", "architecture", d.family ?? ""], ["", "parameters", d.parameter_size ?? ""]);
  model.push(["", "quantization", d.quantization_level ?? ""]);
  if (r.requires) model.push(["", "requires", r.requires]);
  let out = section("Model", model);
  if (r.capabilities?.length)
    out += section(
      "Capabilities",
      r.capabilities.map((c) => ["", c]),
    );
  if (r.projector_info) {
    const p = r.projector_info;
    const rows: string[][] = [];
    const arch = typeof p["general.architecture"] === "string" ? (p["general.architecture"] as string) : "";
    if (arch) rows.push(["", "architecture", arch]);
    if (typeof p["general.parameter_count"] === "number")
      rows.push(["", "parameters", humanNumber(p["general.parameter_count"] as number)]);
    out += section("Projector", rows);
  }
  if (r.parameters) {
    const rows = r.parameters
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => ["", ...l.trim().split(/\s+/)]);
    out += section("Parameters", rows);
  }
  if (info && verbose) {
    const rows = Object.keys(info)
      .sort()
      .map((k) => ["", k, metadataValue(info[k])]);
    out += section("Metadata", rows);
  }
  if (r.tensors?.length && verbose)
    out += section(
      "Tensors",
      r.tensors.map((t) => ["", t.name, t.type, `[${t.shape.join(" ")}]`]),
    );
  if (r.system) out += section("System", head(r.system, 2), 100);
  if (r.license) out += section("License", head(r.license, 2), 100);
  return out;
}
