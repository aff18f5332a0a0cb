import { describe, expect, test } from "bun:test";
import { RUNNER_STOPPED, RunnerExitedError, withoutDirectories } from "./errors.ts";

describe("RunnerExitedError", () => {
  test("Ollama's words, how it ended, and the native cause without directories", () => {
    const tail =
      "loading...\n/home/runner/work/llama.cpp/src/llama-context.cpp:376: GGML_ASSERT(n_outputs_max <= cparams.n_outputs_max) failed\n";
    const e = new RunnerExitedError(null, "SIGABRT", tail);
    expect(e.message).toStartWith(RUNNER_STOPPED);
    expect(e.message).toContain("(signal SIGABRT): llama-context.cpp:376: GGML_ASSERT(");
    expect(e.message).not.toContain("/home/");
    expect(e.status).toBe(500);
  });

  test("withoutDirectories keeps ratios and relative names", () => {
    expect(withoutDirectories("offloaded 3/5 layers from /tmp/x/blobs/sha256-ab to GPU")).toBe(
      "offloaded 3/5 layers from sha256-ab to GPU",
    );
  });
});
