/**
 * TSLLM_LLM_LIBRARY=cuda on a machine without a usable CUDA stack: `tsllm info` says why it fell back, and
 * serve still loads and generates on the fallback variant.
 */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { GREEDY, startServerWith } from "../api/helpers.ts";

const ROOT = join(import.meta.dir, "../..");
// On a machine with an NVIDIA driver the cuda variant may well run: this test is about the fallback.
const cpuMachine = !existsSync("/proc/driver/nvidia/version");

describe.skipIf(!cpuMachine)("cuda fallback on a CPU machine", () => {
  test("tsllm info names the variant used and the missing pieces", async () => {
    const proc = Bun.spawn([process.execPath, join(ROOT, "src/main.ts"), "info"], {
      env: { ...process.env, TSLLM_LLM_LIBRARY: "cuda" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    expect(code).toBe(0);
    expect(out).toMatch(/^library variant: (cpu|vulkan) /m);
    expect(out).toMatch(/^TSLLM_LLM_LIBRARY=cuda cannot run here, fell back to (cpu|vulkan):$/m);
    expect(out).toMatch(
      /^ {2}cuda: no NVIDIA driver \(\/proc\/driver\/nvidia\/version absent\); libcuda\.so\.1[^\n]* not found$/m,
    );
  });

  test("serve with TSLLM_LLM_LIBRARY=cuda still generates", async () => {
    const s = await startServerWith(["tiny"], { TSLLM_LLM_LIBRARY: "cuda" });
    try {
      const res = await s.request("/api/generate", {
        model: "tiny",
        prompt: "hello",
        stream: false,
        options: { ...GREEDY, num_predict: 4 },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { done: boolean; eval_count: number };
      expect(body.done).toBe(true);
      expect(body.eval_count).toBeGreaterThan(0);
    } finally {
      await s.stop();
    }
  });
});
