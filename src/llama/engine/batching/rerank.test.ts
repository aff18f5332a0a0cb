import { describe, expect, test } from "bun:test";
import { rerankInputs } from "./rerank.ts";

/** A stand-in tokenizer: one token per character code, special text marked by parsing. */
const chars = (text: string, parseSpecial: boolean) =>
  [...text].map((c) => c.charCodeAt(0) + (parseSpecial ? 1000 : 0));

describe("rerank inputs", () => {
  test("[BOS] query [EOS] [SEP] document [EOS], each special token where the vocabulary adds it", async () => {
    const both = await rerankInputs({ kind: "pair", bos: 1, eos: 2, sep: 3 }, "q", ["ab", "c"], chars);
    expect(both).toEqual([
      [1, 113, 2, 3, 97, 98, 2],
      [1, 113, 2, 3, 99, 2],
    ]);
    // A BERT WordPiece vocabulary adds [CLS] (BOS) and [SEP], not EOS.
    const bert = await rerankInputs({ kind: "pair", bos: 101, eos: null, sep: 102 }, "q", ["d"], chars);
    expect(bert).toEqual([[101, 113, 102, 100]]);
  });

  test("a rerank template replaces {query} and {document} and parses special tokens", async () => {
    const f = { kind: "template" as const, template: "<q>{query}</q>{document}" };
    const [ids] = await rerankInputs(f, "x$&", ["y"], (t, special) =>
      (special ? [...t] : []).map((c) => c.charCodeAt(0)),
    );
    expect(String.fromCharCode(...(ids ?? []))).toBe("<q>x$&</q>y");
  });
});
