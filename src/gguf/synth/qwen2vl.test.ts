import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGguf } from "../reader.ts";
import { SynthOptionError } from "./errors.ts";
import { GEMMA3_MERGE, projectorPlan, synthesizeProjector, TINY_GEMMA3_VIT } from "./projector.ts";
import { qwen2vlImageGrid, qwen2vlProjectorPlan, TINY_QWEN2VL_VIT } from "./projector-qwen2vl.ts";
import { PRESETS } from "./presets.ts";
import { ropeSections } from "./qwen2vl.ts";
import { synthesize } from "./synthesize.ts";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "tsllm-qwen2vl-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("synthetic Qwen2-VL pair", () => {
  test("M-RoPE sections cover a head's rotary pairs, in Qwen2-VL's proportions", () => {
    expect(ropeSections(128)).toEqual([16, 24, 24, 0]);
    for (const d of [32, 64, 128]) expect(ropeSections(d).reduce((a, b) => a + b, 0)).toBe(d / 2);
  });

  test("the text model is arch qwen2vl with Qwen2's vocabulary, vision tokens and template", async () => {
    const out = join(tmp(), "m.gguf");
    await synthesize({ preset: "tiny-vl", quant: "q4_0", vocab: "qwen2", out });
    const f = await readGguf(out);
    const m = f.metadata;
    expect(m["general.architecture"]).toBe("qwen2vl");
    expect(m["qwen2vl.rope.dimension_sections"]).toEqual([4, 6, 6, 0]);
    const tokens = m["tokenizer.ggml.tokens"] as string[];
    expect([tokens[151652], tokens[151653], tokens[151655]]).toEqual([
      "<|vision_start|>",
      "<|vision_end|>",
      "<|image_pad|>",
    ]);
    expect(String(m["tokenizer.chat_template"])).toContain("<|vision_start|><|image_pad|><|vision_end|>");
    const names = f.tensors.map((t) => t.name);
    expect(names).toContain("blk.0.attn_q.bias");
    expect(names).toContain("blk.1.attn_v.bias");
  });

  test("only Qwen2's vocabulary and the model's own template", async () => {
    const out = join(tmp(), "x.gguf");
    await expect(synthesize({ preset: "tiny-vl", quant: "q4_0", vocab: "llama-bpe", out })).rejects.toThrow(
      SynthOptionError,
    );
    await expect(
      synthesize({ preset: "tiny-vl", quant: "q4_0", vocab: "qwen2", template: "qwen3", out }),
    ).rejects.toThrow(SynthOptionError);
  });

  test("the projector has clip.cpp's qwen2vl_merger layout", async () => {
    const plan = qwen2vlProjectorPlan(TINY_QWEN2VL_VIT, 128);
    const byName = new Map(plan.map((t) => [t.name, t.shape]));
    expect(byName.get("v.patch_embd.weight.1")).toEqual([14, 14, 3, 64]);
    expect(byName.get("mm.0.weight")).toEqual([256, 256]);
    expect(byName.get("mm.2.weight")).toEqual([256, 128]);
    expect(byName.has("v.position_embd.weight")).toBe(false);
    const out = join(tmp(), "p.gguf");
    await synthesizeProjector({ preset: "tiny-vl", out });
    const m = (await readGguf(out)).metadata;
    expect(m["clip.projector_type"]).toBe("qwen2vl_merger");
    expect(m["clip.vision.projection_dim"]).toBe(PRESETS["tiny-vl"]?.nEmbd);
  });

  test("image grids as clip.cpp resizes: aspect kept, 8 to 4096 tokens", () => {
    expect(qwen2vlImageGrid(96, 40)).toEqual({ nx: 5, ny: 2 });
    expect(qwen2vlImageGrid(20, 20)).toEqual({ nx: 3, ny: 3 });
    expect(qwen2vlImageGrid(200, 150)).toEqual({ nx: 7, ny: 5 });
    const big = qwen2vlImageGrid(8000, 6000);
    expect(big.nx * big.ny).toBeLessThanOrEqual(4096);
  });

  test("the Gemma 3-style projector pools patches and projects without an MLP", () => {
    const plan = projectorPlan(TINY_GEMMA3_VIT, 128, "gemma3");
    const names = plan.map((t) => t.name);
    expect(names).toContain("mm.input_projection.weight");
    expect(names).toContain("mm.soft_emb_norm.weight");
    expect(names).not.toContain("mm.0.weight");
    expect(names).not.toContain("v.pre_ln.weight");
    expect(GEMMA3_MERGE).toBeGreaterThan(1);
  });
});
