/** The free-space check a pull makes before its first byte: better a clear 507 now than ENOSPC at 97%. */
import { mkdir, statfs } from "node:fs/promises";
import { DiskFullError, storageOp } from "../../store/index.ts";

/** Bytes the filesystem holding `dir` lets this user write (created if missing, so the right fs is asked). */
export async function freeBytes(dir: string): Promise<number> {
  const s = await storageOp("check free disk space", async () => {
    await mkdir(dir, { recursive: true });
    return statfs(dir);
  });
  return Number(s.bavail) * Number(s.bsize);
}

/** Throws DiskFullError (507) naming needed and free bytes when `needed` does not fit in `dir`. */
export async function ensureFreeSpace(dir: string, needed: number, model: string): Promise<void> {
  if (needed <= 0) return;
  const free = await freeBytes(dir);
  if (needed > free) {
    throw new DiskFullError(
      `not enough disk space to pull ${model}: it needs ${needed} bytes (${human(needed)}), ${free} bytes (${human(free)}) are free`,
    );
  }
}

function human(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
