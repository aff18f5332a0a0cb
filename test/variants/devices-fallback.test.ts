/** serve's device probe: one warning when the variant fell back, and a re-probe when a GPU library failed to load. */
import { expect, test } from "bun:test";
import { type InfoJson, probeDevices } from "../../src/cli/devices.ts";
import { Env } from "../../src/config/env.ts";
import { Logger } from "../../src/log.ts";

class Recorder extends Logger {
  lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  constructor() {
    super("debug");
  }
  override log(level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) {
    this.lines.push({ level, msg, fields });
  }
}

const CPU = { name: "CPU", type: "cpu", free: 1, total: 2 };
const GPU = { name: "Vulkan0", type: "gpu", free: 3, total: 4 };

test("an override that cannot run: one warning line with the reasons and the variant used", async () => {
  const log = new Recorder();
  const probe = await probeDevices(new Env({ TSLLM_LLM_LIBRARY: "cuda" }), log, async () => ({
    variant: "cpu",
    choice: { skipped: ["cuda: libcudart.so.13 not found"], fell_back: true },
    devices: [CPU],
  }));
  expect(probe.variant).toBe("cpu");
  const warns = log.lines.filter((l) => l.level === "warn");
  expect(warns).toEqual([
    {
      level: "warn",
      msg: "llm library fallback",
      fields: { reason: "cuda: libcudart.so.13 not found; using cpu" },
    },
  ]);
});

test("a CUDA library that loads no device: re-probed with the fallback, which runners then use", async () => {
  const log = new Recorder();
  const seen: (string | undefined)[] = [];
  const answers: InfoJson[] = [
    {
      variant: "cuda",
      choice: { skipped: [], fell_back: false },
      load_error: "cuda: libggml-cuda.so loaded no CUDA device",
      fallback: "vulkan",
      devices: [CPU],
    },
    { variant: "vulkan", choice: { skipped: [], fell_back: false }, devices: [GPU, CPU] },
  ];
  const probe = await probeDevices(new Env({}), log, async (env) => {
    seen.push(env.TSLLM_LLM_LIBRARY);
    return answers[seen.length - 1] as InfoJson;
  });
  expect(seen).toEqual([undefined, "vulkan"]);
  expect(probe.variant).toBe("vulkan");
  expect(probe.gpus.map((g) => g.name)).toEqual(["Vulkan0"]);
  expect(log.lines.filter((l) => l.level === "warn").map((l) => l.fields?.reason)).toEqual([
    "cuda: libggml-cuda.so loaded no CUDA device; using vulkan",
  ]);
});

test("no fallback: no warning", async () => {
  const log = new Recorder();
  await probeDevices(new Env({}), log, async () => ({
    variant: "cpu",
    choice: { skipped: ["cuda: no NVIDIA driver (/proc/driver/nvidia/version absent)"], fell_back: false },
    devices: [CPU],
  }));
  expect(log.lines.filter((l) => l.level === "warn")).toEqual([]);
});
