import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** A fresh temp path beside `target`, so the final rename stays on one filesystem. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.tmp-${randomBytes(8).toString("hex")}`);
}

/** Writes `data` to `path` through a temp file and rename, so readers never see partial content. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, data, { mode, flag: "wx" });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
