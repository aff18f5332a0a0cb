import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { syncDir } from "./blob-file.ts";
import { storageError } from "./fs-errors.ts";

/** Every temp file the store writes starts with this; startup cleanup removes whatever a crash left. */
export const TEMP_PREFIX = ".tmp-";

/** A fresh temp path beside `target`, so the final rename stays on one filesystem. */
export function tempPathFor(target: string, tag = ""): string {
  return join(dirname(target), `${TEMP_PREFIX}${tag ? `${tag}-` : ""}${randomBytes(8).toString("hex")}`);
}

/**
 * Writes `data` to `path` through an fsynced temp file and a rename, so readers (and a restart after a
 * crash) never see partial content. Errors name no path.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    const fh = await open(tmp, "wx", mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    await syncDir(dirname(path));
  } catch (err) {
    await rm(tmp, { force: true });
    throw storageError(err, "write a manifest");
  }
}
