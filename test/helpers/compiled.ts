/** Test helper: builds ./tsllm once per test process and copies it alone into an empty directory. */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "../..");
let built: Promise<string> | null = null;

/** Path of a freshly built executable (shared by the test files of one run). */
export function buildExecutable(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsllm-build-"));
    const out = Bun.spawnSync(["bun", "build.ts", "--outfile", join(dir, "tsllm")], {
      cwd: root,
      stderr: "pipe",
    });
    if (out.exitCode !== 0) throw new Error(`build failed: ${out.stderr.toString()}`);
    return join(dir, "tsllm");
  })();
  return built;
}

/** An empty directory holding only a copy of the executable, and an empty HOME; `cleanup` removes both. */
export async function isolatedExecutable(): Promise<{
  exe: string;
  dir: string;
  home: string;
  cleanup(): void;
}> {
  const dir = mkdtempSync(join(tmpdir(), "tsllm-empty-"));
  const home = mkdtempSync(join(tmpdir(), "tsllm-home-"));
  const exe = join(dir, "tsllm");
  copyFileSync(await buildExecutable(), exe);
  return {
    exe,
    dir,
    home,
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    },
  };
}
