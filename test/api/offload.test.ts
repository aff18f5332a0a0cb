import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { synthModel } from "../fixtures/models.ts";
import { startTestServer, type TestServer } from "./helpers.ts";

// A real 2 GiB GPU on a CPU machine: the Vulkan libllama over Mesa's lavapipe. The 1b model at f16 (1.6 GiB
// of weights, plus KV cache, compute buffers and the GPU's reserve) does not fit, so the planner splits it.
const lavapipe = existsSync("/usr/share/vulkan/icd.d/lvp_icd.x86_64.json");
if (!lavapipe)
  console.warn("Vulkan offload tests skipped: install mesa-vulkan-drivers for the lavapipe device");

let t: TestServer;
beforeAll(async () => {
  if (lavapipe) t = await startTestServer({ TSLLM_LLM_LIBRARY: "vulkan", GGML_VK_VISIBLE_DEVICES: "0" });
});
afterAll(async () => t?.stop());

describe.skipIf(!lavapipe)("serve on a Vulkan device (lavapipe)", () => {
  test("a model that does not fit the 2 GiB device is partially offloaded and /api/ps shows the split", async () => {
    const gguf = await synthModel({ preset: "1b", quant: "f16", vocab: "llama-spm" });
    await t.createFrom("big", gguf);
    const load = await t.request("/api/generate", { model: "big", prompt: "" });
    expect(load.status).toBe(200);
    const ps = await (await t.request("/api/ps", undefined, "GET")).json();
    const m = ps.models.find((x: { name: string }) => x.name === "big:latest");
    expect(m).toBeDefined();
    expect(m.size_vram).toBeGreaterThan(0);
    expect(m.size_vram).toBeLessThan(m.size);
    expect(m.size_vram).toBeLessThanOrEqual(2 * 2 ** 30);
    expect(m.context_length).toBe(4096); // the default (by VRAM), within the model's trained context
    const tiny = await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" });
    await t.createFrom("small", tiny);
    await t.request("/api/generate", { model: "big", prompt: "", keep_alive: 0 });
    expect((await t.request("/api/generate", { model: "small", prompt: "" })).status).toBe(200);
    const ps2 = await (await t.request("/api/ps", undefined, "GET")).json();
    const s = ps2.models.find((x: { name: string }) => x.name === "small:latest");
    // Every layer fits. The truthful split still keeps llama.cpp's input embeddings in host memory.
    expect(s.size_vram / s.size).toBeGreaterThan(0.8);
    expect(s.size_vram / s.size).toBeGreaterThan(m.size_vram / m.size);
  });
});
