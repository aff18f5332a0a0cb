import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { useNativeBackend } from "../../../test/helpers/native.ts";
import { llamaSourceDir } from "../../gguf/synth/llama-source.ts";
import { Model } from "./model.ts";
import { SpecialMatcher, splitAtSpecials } from "./special-split.ts";

describe("splitAtSpecials", () => {
  const m = new SpecialMatcher([
    { text: "<s>", lstrip: false },
    { text: "<s>x", lstrip: false },
    { text: "<|end|>", lstrip: true },
  ]);

  test("joined pieces are the text; each later piece starts with a special", () => {
    const text = "ab<s>cd<s>ef<|end|>gh<s>".repeat(50);
    const pieces = splitAtSpecials(text, m, 8);
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.join("")).toBe(text);
    for (const p of pieces.slice(1)) expect(p.startsWith("<s>") || p.startsWith("<|end|>")).toBe(true);
  });

  test("few matches: one piece", () => {
    expect(splitAtSpecials("a<s>b".repeat(10), m, 256)).toEqual(["a<s>b".repeat(10)]);
  });

  test("never cuts where a longer special could win, nor after whitespace before an lstrip one", () => {
    const text = "<s>x".repeat(40) + " <|end|>".repeat(40);
    const pieces = splitAtSpecials(text, m, 4);
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.join("")).toBe(text);
    // "<s>" is never cut from its "x" (llama.cpp matches "<s>x" first); " <|end|>" strips its space.
    for (const p of pieces.slice(1)) expect(p.startsWith("<s>x") || p.startsWith(" <|end|>")).toBe(true);
  });
});

/** A text with many special-token texts among words, spaces and newlines (seeded, deterministic). */
function mixedText(specials: string[], seed: number, parts: number): string {
  let x = seed;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  const words = ["hello", " world", "  ", "\n", "\n\n", "x", " ", "été", "漢字", "1234", "\t", "<", "|"];
  let out = "";
  for (let i = 0; i < parts; i++)
    out += rnd(3) === 0 ? (specials[rnd(specials.length)] as string) : (words[rnd(words.length)] as string);
  return out;
}

describe("tokenizing in pieces equals one llama_tokenize call", () => {
  useNativeBackend();
  const loaded: Model[] = [];
  afterAll(() => {
    for (const m of loaded) m.dispose();
  });
  for (const name of ["llama-spm", "qwen2", "phi-3", "bert-bge", "llama-bpe", "gemma-4"]) {
    test(name, () => {
      const model = Model.load(join(llamaSourceDir(), "models", `ggml-vocab-${name}.gguf`), {
        vocabOnly: true,
      });
      loaded.push(model);
      const v = model.vocab;
      const specials: string[] = [];
      for (let id = 0; id < v.size && specials.length < 40; id++)
        if (v.isControl(id)) specials.push(v.text(id));
      specials.push(v.text(v.bos >= 0 ? v.bos : 0));
      for (const seed of [1, 2, 3]) {
        const text = mixedText(specials, seed, 3000);
        for (const [add, parse] of [
          [true, true],
          [false, true],
          [true, false],
        ] as const) {
          const once = Array.from(v.tokenizeOnce(text, add, parse));
          expect(Array.from(v.tokenize(text, add, parse))).toEqual(once);
        }
      }
    });
  }
});
