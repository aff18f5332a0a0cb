/** Test helper: loads libllama (CPU variant from node_modules) once per test process. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../src/llama/engine/backend.ts";

let done = false;

/** Initialises the CPU backend for tests (idempotent). */
export function useNativeBackend(): void {
  if (done) return;
  initBackend({ variant: "cpu", cacheDir: mkdtempSync(join(tmpdir(), "tsllm-test-cache-")) });
  done = true;
}
