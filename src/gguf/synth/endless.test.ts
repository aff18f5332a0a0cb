import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getBool } from "../metadata.ts";
import { readGguf } from "../reader.ts";
import { parseSynthArgs } from "./cli.ts";
import { eogTokenIds } from "./endless.ts";
import { SynthOptionError } from "./errors.ts";
import { loadVocab } from "./vocab.ts";
import { synthesize } from "./synthesize.ts";

const dir = mkdtempSync(join(tmpdir(), "synth-endless-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An f32 tensor of `file` as rows of its first dimension. */
async function rows(path: string, name: string): Promise<Float32Array[]> {
  const file = await readGguf(path);
  const t = file.tensors.find((x) => x.name === name);
  if (t === undefined) throw new Error(`no ${name}`);
  const v = new Float32Array(
    await Bun.file(path)
      .slice(t.offset, t.offset + t.byteSize)
      .arrayBuffer(),
  );
  const ne0 = t.shape[0] as number;
  return Array.from({ length: v.length / ne0 }, (_, i) => v.subarray(i * ne0, (i + 1) * ne0));
}

describe("endless models", () => {
  test("end-of-generation ids: the metadata's ids and the tokens llama.cpp recognises by text", async () => {
    expect([...eogTokenIds((await loadVocab("llama-spm")).metadata)]).toEqual([2]);
    const qwen = (await loadVocab("qwen2")).metadata;
    const tokens = qwen["tokenizer.ggml.tokens"]?.value as string[];
    const ids = eogTokenIds(qwen);
    for (const text of ["<|im_end|>", "<|endoftext|>"]) expect(ids.has(tokens.indexOf(text))).toBe(true);
  });

  test("dimension 0 is a constant no layer writes; each </s> output row reads only it, negatively", async () => {
    const out = join(dir, "endless.gguf");
    await synthesize({ preset: "tiny", quant: "f32", vocab: "llama-spm", endless: true, out });
    expect(getBool(await readGguf(out), "tsllm.synth.endless")).toBe(true);
    const embd = await rows(out, "token_embd.weight");
    expect(embd.every((r) => r[0] === Math.fround(0.02))).toBe(true);
    expect(new Set(embd.map((r) => r[1])).size).toBeGreaterThan(100); // the rest stays random
    for (const name of ["blk.0.attn_output.weight", "blk.1.ffn_down.weight"]) {
      const w = await rows(out, name);
      expect(w[0]?.every((x) => x === 0)).toBe(true);
      expect(w[1]?.some((x) => x !== 0)).toBe(true);
    }
    const output = await rows(out, "output.weight");
    expect(output[2]?.[0]).toBe(-1e4);
    expect(output[2]?.slice(1).every((x) => x === 0)).toBe(true);
    expect(output[3]?.[0]).not.toBe(-1e4);
  });

  test("only llama presets can be endless; the CLI takes --endless", async () => {
    const bad = { preset: "embed", quant: "f32", vocab: "bert-bge", endless: true, out: join(dir, "x.gguf") };
    await expect(synthesize(bad)).rejects.toBeInstanceOf(SynthOptionError);
    const argv = ["--preset", "tiny", "--quant", "f32", "--vocab", "llama-spm", "--out", "m.gguf"];
    expect(parseSynthArgs([...argv, "--endless"]).endless).toBe(true);
    expect(parseSynthArgs(argv).endless).toBeUndefined();
  });
});
