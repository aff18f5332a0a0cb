/**
 * How a blob is cut into Range parts. Ollama cuts a blob into 16 parts of 100 MB–1 GB and runs them all at
 * once; here parts are smaller and handed out in order to `parallel` workers, because the sha256 is taken over
 * the contiguous prefix as it completes: with in-order parts the hashed prefix trails the newest byte by about
 * `parallel` parts, so little is left to hash after the last byte arrives, and one slow part near the end
 * holds up only a small range (no crawl at 99%). The parts are the unit of resume state; a lone request on a
 * fast link asks for a run of adjacent untouched parts at once (takeRun), since each request costs the registry.
 */
import type { PartialPart } from "../../store/index.ts";

/** Part size bounds in bytes. */
export interface PartSizes {
  readonly min: number;
  readonly max: number;
}

/** Defaults: 16 MiB–128 MiB, scaled so a blob gets about four parts per worker. */
export const DEFAULT_PART_SIZES: PartSizes = { min: 16 << 20, max: 128 << 20 };

/** Parts tiling `[0, size)`: about `4 × parallel` of them, each within `sizes` (the last may be shorter). */
export function planParts(
  size: number,
  parallel: number,
  sizes: PartSizes = DEFAULT_PART_SIZES,
): PartialPart[] {
  if (size === 0) return [];
  const target = Math.ceil(size / (Math.max(1, parallel) * 4));
  const partSize = Math.max(1, Math.min(Math.max(target, sizes.min), sizes.max));
  const parts: PartialPart[] = [];
  for (let offset = 0; offset < size; offset += partSize) {
    parts.push({ offset, size: Math.min(partSize, size - offset), done: 0 });
  }
  return parts;
}

/** End of the contiguous run of bytes on disk from offset 0. */
export function contiguousEnd(parts: readonly PartialPart[]): number {
  for (const p of parts) if (p.done < p.size) return p.offset + p.done;
  const last = parts.at(-1);
  return last ? last.offset + last.size : 0;
}

/** contiguousEnd for parts that only ever grow, in amortized O(1) per call (it runs after every write). */
export class PrefixCursor {
  #i = 0;

  constructor(private readonly parts: readonly PartialPart[]) {}

  /** End of the contiguous run of bytes on disk from offset 0. */
  end(): number {
    const { parts } = this;
    while (this.#i < parts.length) {
      const p = parts[this.#i] as PartialPart;
      if (p.done < p.size) return p.offset + p.done;
      this.#i++;
    }
    const last = parts.at(-1);
    return last ? last.offset + last.size : 0;
  }
}

/** Bytes on disk across all parts. */
export function bytesDone(parts: readonly PartialPart[]): number {
  return parts.reduce((s, p) => s + p.done, 0);
}

/**
 * Takes from the head of `queue` its first part and, while they stay within `maxBytes` in all, the parts right
 * after it that hold no byte yet (one Range request covers them; a part already begun would be fetched twice).
 */
export function takeRun(queue: PartialPart[], maxBytes: number): PartialPart[] | undefined {
  const first = queue.shift();
  if (!first) return undefined;
  const run = [first];
  let end = first.offset + first.size;
  let bytes = first.size - first.done;
  for (let next = queue[0]; next; next = queue[0]) {
    if (next.offset !== end || next.done !== 0 || bytes + next.size > maxBytes) break;
    run.push(queue.shift() as PartialPart);
    end += next.size;
    bytes += next.size;
  }
  return run;
}
