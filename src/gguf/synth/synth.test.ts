import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getArray, getNumber, getString } from "../metadata.ts";
import { readGguf } from "../reader.ts";
import { GgmlType, tensorByteSize } from "../types.ts";
import { SynthOptionError } from "./errors.ts";
import { vocabPath } from "./llama-source.ts";
import { PRESETS, paramCount, tensorPlan } from "./presets.ts";
import { synthesize } from "./synthesize.ts";
import { parseSynthArgs } from "./cli.ts";

const dir = mkdtempSync(join(tmpdir(), "synth-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sha256(path: string): Promise<string> {
  return createHash("sha256")
    .update(new Uint8Array(await Bun.file(path).arrayBuffer()))
    .digest("hex");
}

describe("synthesize", () => {
  test("same seed gives the same bytes; another seed does not", async () => {
    const opts = { preset: "tiny", quant: "q4_0", vocab: "llama-spm" };
    await synthesize({ ...opts, seed: 7, out: join(dir, "a.gguf") });
    await synthesize({ ...opts, seed: 7, out: join(dir, "b.gguf") });
    await synthesize({ ...opts, seed: 8, out: join(dir, "c.gguf") });
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((n) => sha256(join(dir, `${n}.gguf`))));
    expect(a).toBe(b as string);
    expect(c).not.toBe(a as string);
  });

  test("tiny model: metadata, copied vocabulary, tensor table", async () => {
    const out = join(dir, "tiny-q8.gguf");
    const r = await synthesize({ preset: "tiny", quant: "q8_0", vocab: "llama-bpe", out });
    const file = await readGguf(out);
    const vocab = await readGguf(vocabPath("llama-bpe"));
    expect(getString(file, "general.architecture")).toBe("llama");
    expect(getString(file, "general.name")).toBe("synth-tiny-llama-bpe");
    expect(getNumber(file, "general.file_type")).toBe(7);
    expect(getNumber(file, "llama.rope.dimension_count")).toBe(32);
    expect(getNumber(file, "llama.attention.head_count_kv")).toBe(2);
    for (const key of Object.keys(vocab.metadata).filter((k) => k.startsWith("tokenizer.ggml."))) {
      if (key !== "tokenizer.ggml.eos_token_id") expect(file.metadata[key]).toEqual(vocab.metadata[key]);
    }
    expect(getNumber(file, "tokenizer.ggml.eos_token_id")).toBe(128009);
    expect(getString(file, "tokenizer.chat_template")).toContain("<|start_header_id|>");
    expect(getArray(file, "tokenizer.ggml.tokens")?.length).toBe(128256);
    expect(file.tensors.length).toBe(r.tensors);
    for (const t of file.tensors) {
      const isMatrix = t.shape.length === 2;
      expect(t.type).toBe(isMatrix ? GgmlType.Q8_0 : GgmlType.F32);
      expect(t.byteSize).toBe(tensorByteSize(t.type, t.shape) as number);
    }
    expect(file.tensors.find((t) => t.name === "output.weight")?.shape).toEqual([128, 128256]);
    expect(file.tensors.find((t) => t.name === "blk.1.attn_k.weight")?.shape).toEqual([128, 64]);
  });

  test("embed model: BERT tensors and keys, token_types kept F32", async () => {
    const out = join(dir, "embed.gguf");
    await synthesize({ preset: "embed", quant: "q4_0", vocab: "bert-bge", pooling: "cls", out });
    const file = await readGguf(out);
    expect(getString(file, "general.architecture")).toBe("bert");
    expect(getNumber(file, "bert.pooling_type")).toBe(2);
    expect(file.metadata["bert.attention.causal"]).toBe(false);
    expect(file.metadata["tokenizer.chat_template"]).toBeUndefined();
    const names = new Set(file.tensors.map((t) => t.name));
    for (const n of [
      "token_embd.weight",
      "position_embd.weight",
      "token_embd_norm.bias",
      "blk.3.layer_output_norm.bias",
    ]) {
      expect(names.has(n)).toBe(true);
    }
    expect(file.tensors.find((t) => t.name === "token_types.weight")?.type).toBe(GgmlType.F32);
    expect(file.tensors.find((t) => t.name === "position_embd.weight")?.shape).toEqual([384, 512]);
  });

  test("1b preset has ≈852M parameters with llama-spm's 32000 tokens (computed, not generated)", () => {
    const preset = PRESETS["1b"];
    if (preset === undefined) throw new Error("no 1b preset");
    const plan = tensorPlan(preset, 32000);
    const params = paramCount(plan);
    expect(params).toBeGreaterThan(850e6);
    expect(params).toBeLessThan(855e6);
    const q4Bytes = plan.reduce(
      (n, t) => n + (tensorByteSize(t.quantize ? GgmlType.Q4_0 : GgmlType.F32, t.shape) ?? 0),
      0,
    );
    expect(q4Bytes / 2 ** 20).toBeGreaterThan(450);
    expect(q4Bytes / 2 ** 20).toBeLessThan(480);
  });

  test("bad options are SynthOptionErrors", async () => {
    const out = join(dir, "x.gguf");
    for (const o of [
      { preset: "huge", quant: "q4_0", vocab: "llama-spm" },
      { preset: "tiny", quant: "q3_k", vocab: "llama-spm" },
      { preset: "tiny", quant: "q4_0", vocab: "klingon" },
      { preset: "embed", quant: "q4_0", vocab: "llama-spm" },
      { preset: "tiny", quant: "q4_0", vocab: "bert-bge" },
    ]) {
      await expect(synthesize({ ...o, out })).rejects.toBeInstanceOf(SynthOptionError);
    }
  });
});

describe("cli", () => {
  test("parses flags", () => {
    const argv = ["--preset", "tiny", "--quant", "f16", "--vocab", "qwen2", "--seed", "3", "--out", "m.gguf"];
    expect(parseSynthArgs(argv)).toEqual({
      preset: "tiny",
      quant: "f16",
      vocab: "qwen2",
      seed: 3,
      out: "m.gguf",
    });
    expect(() => parseSynthArgs(["--preset", "tiny"])).toThrow(SynthOptionError);
    expect(() => parseSynthArgs([...argv, "--seed", "-1"])).toThrow(SynthOptionError);
    expect(() => parseSynthArgs([...argv, "--nope"])).toThrow(SynthOptionError);
  });

  test("reports a bad flag on one line and exits 1", () => {
    const cli = join(import.meta.dir, "cli.ts");
    const r = Bun.spawnSync(
      [
        process.execPath,
        cli,
        "--preset",
        "huge",
        "--quant",
        "q4_0",
        "--vocab",
        "gpt-2",
        "--out",
        join(dir, "z.gguf"),
      ],
      {
        stderr: "pipe",
      },
    );
    expect(r.exitCode).toBe(1);
    const err = r.stderr.toString().trim();
    expect(err.split("\n")).toHaveLength(1);
    expect(err).toContain('unknown preset "huge"');
  });
});
