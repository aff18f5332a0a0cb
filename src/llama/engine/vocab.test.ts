import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { useNativeBackend } from "../../../test/helpers/native.ts";
import { llamaSourceDir } from "../../gguf/synth/llama-source.ts";
import { Model } from "./model.ts";

const SEP = "\n__ggml_vocab_test__\n";

/** llama.cpp's own tokenizer vectors: inputs split by SEP, one line of token ids per input. */
function vectors(name: string): { text: string; ids: number[] }[] {
  const base = join(llamaSourceDir(), "models", `ggml-vocab-${name}.gguf`);
  const raw = readFileSync(`${base}.inp`, "utf8");
  const inputs: string[] = [];
  let pos = 0;
  while (pos < raw.length) {
    const next = raw.indexOf(SEP, pos);
    if (next < 0) {
      inputs.push(raw.slice(pos));
      break;
    }
    inputs.push(raw.slice(pos, next));
    pos = next + SEP.length;
  }
  const outs = readFileSync(`${base}.out`, "utf8").split("\n");
  if (outs.at(-1) === "") outs.pop();
  expect(outs.length).toBe(inputs.length);
  return inputs.map((text, i) => ({
    text,
    ids: (outs[i] as string).trim() === "" ? [] : (outs[i] as string).trim().split(" ").map(Number),
  }));
}

describe("tokenization equals llama.cpp's vectors", () => {
  useNativeBackend();
  for (const name of ["llama-spm", "llama-bpe", "qwen2", "bert-bge", "phi-3", "gpt-2"]) {
    test(name, () => {
      const model = Model.load(join(llamaSourceDir(), "models", `ggml-vocab-${name}.gguf`), {
        vocabOnly: true,
      });
      try {
        const cases = vectors(name);
        expect(cases.length).toBeGreaterThan(20);
        for (const c of cases) {
          // test-tokenizer-0 tokenizes with add_special = false, parse_special = false.
          expect({ text: c.text, ids: Array.from(model.vocab.tokenize(c.text, false, false)) }).toEqual(c);
        }
      } finally {
        model.dispose();
      }
    });
  }
});
