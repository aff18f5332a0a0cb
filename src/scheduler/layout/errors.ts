/** Errors the memory planner reports; the scheduler decides whether evicting a model can cure them. */
import { TsllmError } from "../../errors.ts";

/** The layout needs more host memory (RAM + swap) than there is, even after offloading what fits. */
export class InsufficientMemoryError extends TsllmError {
  /** Bytes the layout would need in host memory. */
  readonly required: number;
  /** Host bytes that were available (free RAM + free swap). */
  readonly available: number;

  constructor(required: number, available: number) {
    super(
      `model requires more system memory (${humanBytes(required)}) than is available (${humanBytes(available)})`,
      { code: "insufficient_memory", status: 500 },
    );
    this.required = required;
    this.available = available;
  }
}

/** A full load (every layer on GPU, or the CPU part in free RAM) was required and is not possible now. */
export class RequireFullOffloadError extends TsllmError {
  constructor(message: string) {
    super(message, { code: "require_full_offload", status: 503 });
  }
}

/** Bytes as Ollama prints them (binary units, e.g. "4.5 GiB"). */
export function humanBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${v} B`;
  const s = v >= 10 ? v.toFixed(0) : v.toFixed(1);
  return `${s.replace(/\.0$/, "")} ${units[u]}`;
}
