import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { Env } from "../../src/config/env.ts";
import { RunnerClient } from "../../src/runner/client.ts";
import { synthModel } from "../fixtures/models.ts";
import { closeAll, collect, GREEDY, loadOptions, startRunner } from "./helpers.ts";

// A real GPU device on a CPU machine: the Vulkan libllama over Mesa's lavapipe (a 2 GiB "GPU").
// .ci/run installs mesa-vulkan-drivers; without it these tests are skipped with this message.
const lavapipe = existsSync("/usr/share/vulkan/icd.d/lvp_icd.x86_64.json");
const VK = { TSLLM_LLM_LIBRARY: "vulkan", GGML_VK_VISIBLE_DEVICES: "0" };
if (!lavapipe)
  console.warn("offload tests skipped: install mesa-vulkan-drivers for the lavapipe Vulkan device");

afterAll(closeAll);

describe.skipIf(!lavapipe)("offload to a Vulkan device (lavapipe)", () => {
  test("fit reports the split without allocating; full and partial offload load and generate", async () => {
    const model = await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" });
    const fitter = new RunnerClient(
      { model, options: loadOptions({ num_gpu: 2 }), variant: "vulkan" },
      { env: new Env({ ...process.env, ...VK }) },
    );
    const fit = await fitter.fit();
    await fitter.close();
    expect(fit.layers_offloaded).toBe(2);
    expect(fit.layers_total).toBe(3);
    expect(fit.memory.find((d) => d.device === "Vulkan0")?.weights).toBeGreaterThan(0);
    expect(fit.memory.find((d) => d.device === "CPU")?.weights).toBeGreaterThan(0);

    const full = await startRunner(model, { num_gpu: -1, num_parallel: 2 }, VK);
    const vk = full.memory().find((d) => d.device === "Vulkan0");
    expect(vk?.weights).toBeGreaterThan(0);
    expect(vk?.kv_cache).toBeGreaterThan(0);
    const a = await collect(full, { prompt: "Hello", options: { ...GREEDY, num_predict: 8 } });
    expect(a.done.timings.predicted_n).toBe(8);
    await full.close();

    const partial = await startRunner(model, { num_gpu: 1, num_parallel: 2 }, VK);
    const mem = partial.memory();
    expect(mem.find((d) => d.device === "Vulkan0")?.weights).toBeGreaterThan(0);
    expect(mem.find((d) => d.device === "CPU")?.weights).toBeGreaterThan(0);
    const b = await collect(partial, { prompt: "Hello", options: { ...GREEDY, num_predict: 8 } });
    expect(b.done.timings.predicted_n).toBe(8);
  });
});
