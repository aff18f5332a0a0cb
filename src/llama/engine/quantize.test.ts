import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthModel } from "../../../test/fixtures/models.ts";
import { useNativeBackend } from "../../../test/helpers/native.ts";
import { readGguf } from "../../gguf/reader.ts";
import { GgmlType } from "../../gguf/types.ts";
import { Model } from "./model.ts";
import { QuantizeError, quantizeModel } from "./quantize.ts";

test("llama_model_quantize: f32 → q8_0 and f16 → q4_K_M load and keep the vocabulary", async () => {
  useNativeBackend();
  const src = await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" });
  // K-quants need rows that are a multiple of 256: the small preset (n_embd 512) has them.
  const small = await synthModel({ preset: "small", quant: "f16", vocab: "llama-spm" });
  const dir = mkdtempSync(join(tmpdir(), "tsllm-quant-"));
  for (const [from, type, ggml] of [
    [src, "q8_0", GgmlType.Q8_0],
    [small, "Q4_K_M", GgmlType.Q4_K],
  ] as const) {
    const out = join(dir, `${type}.gguf`);
    quantizeModel(from, out, type, 2);
    const file = await readGguf(out);
    expect(file.tensors.find((t) => t.name === "blk.0.attn_q.weight")?.type).toBe(ggml);
    using m = Model.load(out);
    expect(m.vocab.size).toBe(32000);
  }
  expect(() => quantizeModel(src, join(dir, "x.gguf"), "q9_9")).toThrow(QuantizeError);
});
