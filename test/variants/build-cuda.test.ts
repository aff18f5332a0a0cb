/** scripts/build-cuda.sh: what can be checked without a CUDA toolkit (arguments, the missing-nvcc error). */
import { expect, test } from "bun:test";
import { join } from "node:path";

const SCRIPT = join(import.meta.dir, "../../scripts/build-cuda.sh");

function run(args: string[], env: Record<string, string> = {}) {
  const r = Bun.spawnSync(["bash", SCRIPT, ...args], { env: { ...process.env, ...env }, stderr: "pipe" });
  return { code: r.exitCode, err: r.stderr.toString() };
}

test("no argument: usage", () => {
  const r = run([]);
  expect(r.code).toBe(2);
  expect(r.err).toContain("usage:");
});

test("malformed architectures are refused before anything runs", () => {
  for (const bad of ["9.0", "sm_90", "90;", "90,80", ""]) {
    const r = run([bad]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`bad ARCHS "${bad}"`);
  }
});

test("missing nvcc: a clear error naming what to install", () => {
  const r = run(["80;90"], { NVCC: "/nonexistent/nvcc" });
  expect(r.code).toBe(2);
  expect(r.err).toContain("build-cuda: nvcc not found: install the CUDA toolkit");
});

test("missing llama.cpp source: a clear error", () => {
  const r = run(["90"], { TSLLM_LLAMA_SRC: "/nonexistent" });
  expect(r.code).toBe(2);
  expect(r.err).toContain("llama.cpp source not found in /nonexistent");
});
