/** Shared by the vision tests: libmtmd from the native-extras build (cached), or a reason to skip. */
import { existsSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");

/** Builds the native extras (cached); the output dir holding libmtmd.so, or why this machine cannot. */
export function buildVisionExtras(): { dir: string } | { skip: string } {
  const r = Bun.spawnSync(["bash", join(ROOT, "scripts", "build-native-extras.sh")], { stderr: "pipe" });
  if (r.exitCode === 3) return { skip: r.stderr.toString().trim() };
  if (r.exitCode !== 0) throw new Error(`build-native-extras.sh failed:\n${r.stderr.toString()}`);
  const dir = r.stdout.toString().trim();
  if (!existsSync(join(dir, "libmtmd.so"))) return { skip: `no libmtmd.so in ${dir}` };
  return { dir };
}

/** The marker a prompt holds once per image. */
export const MARKER = "<__media__>";
