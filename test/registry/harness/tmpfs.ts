/** A small tmpfs for disk-full tests. Mounting needs root (CI runs as root); elsewhere the caller skips. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A mounted (or, without root, unmounted) temp dir. */
export interface Tmpfs {
  readonly dir: string;
  readonly mounted: boolean;
  /** Why it could not be mounted (empty when mounted). */
  readonly reason: string;
  /** Unmounts and removes the dir. */
  dispose(): void;
}

/** Mounts a tmpfs of `size` (`20m`) on a fresh temp dir. */
export function mountTmpfs(size: string): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), "tsllm-tmpfs-"));
  const r = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stderr: "pipe" });
  const mounted = r.exitCode === 0;
  return {
    dir,
    mounted,
    reason: mounted ? "" : r.stderr.toString().trim() || `mount exited ${r.exitCode}`,
    dispose() {
      if (mounted) Bun.spawnSync(["umount", "-l", dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
