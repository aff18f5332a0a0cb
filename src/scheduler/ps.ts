/** Builds /api/ps rows from the model table. */
import { fileTypeName } from "./layout/file-type.ts";
import type { LoadedModel } from "./model-table.ts";
import { hostSplit } from "./rpc.ts";
import type { PsEntry } from "./types.ts";

/** Parameter count as Ollama prints it: "8B", "7.6B", "494.03M", "12K". */
export function humanNumber(n: number): string {
  const fmt = (v: number, digits: number, unit: string) =>
    `${Number.isInteger(v) ? v.toFixed(0) : v.toFixed(digits)}${unit}`;
  if (n >= 1e9) return fmt(n / 1e9, 1, "B");
  if (n >= 1e6) return fmt(n / 1e6, 2, "M");
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}K`;
  return String(n);
}

/** The sha256 hex in a blob file name (`sha256-<hex>`), or "". */
export function digestOfPath(path: string): string {
  return /sha256[-:]([0-9a-f]{64})/.exec(path)?.[1] ?? "";
}

/** One /api/ps row. */
export function psEntry(e: LoadedModel, expires: Date | null, library: string): PsEntry {
  let size = 0;
  let vram = 0;
  for (const d of e.memory()) {
    const bytes = d.weights + d.kv_cache + d.compute;
    size += bytes;
    if (d.device.toUpperCase() !== "CPU") vram += bytes;
  }
  const arch = e.facts.architecture;
  const split = hostSplit(e.memory());
  return {
    name: e.name,
    model: e.path,
    digest: digestOfPath(e.path),
    size,
    size_vram: vram,
    expires_at: expires,
    context_length: e.runner.spec.options.num_ctx,
    library,
    details: {
      format: "gguf",
      family: arch,
      families: [arch],
      parameter_size: e.facts.parameterCount > 0 ? humanNumber(e.facts.parameterCount) : "",
      quantization_level: fileTypeName(e.facts.fileType),
    },
    ...(split.length > 0 ? { split } : {}),
  };
}

/** Ollama's order: latest expiry first, "forever" before any date. */
export function sortPs(rows: PsEntry[]): PsEntry[] {
  const key = (r: PsEntry) => (r.expires_at === null ? Number.POSITIVE_INFINITY : r.expires_at.getTime());
  return rows.sort((a, b) => key(b) - key(a) || a.name.localeCompare(b.name));
}
