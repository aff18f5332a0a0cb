/** Speculative decoding's pure parts: n-gram lookup, the Ollama-style options, the create-time vocabulary check. */
import { describe, expect, test } from "bun:test";
import type { GgufFile } from "../../src/gguf/reader.ts";
import { checkDraftVocabulary, DraftVocabularyError } from "../../src/inference/create-draft.ts";
import { mergeOptions } from "../../src/inference/options.ts";
import { speculativeOptions } from "../../src/inference/speculative-options.ts";
import { ngramDraft } from "../../src/llama/engine/batching/ngram.ts";

describe("n-gram drafting", () => {
  test("copies what followed the latest earlier occurrence of the last tokens", () => {
    //           0  1  2  3  4  5  6  7  8  9
    const h = [1, 2, 3, 4, 5, 9, 1, 2, 3, 4];
    expect(ngramDraft(h, 3)).toEqual([5, 9, 1]);
    expect(ngramDraft(h, 10)).toEqual([5, 9, 1, 2, 3, 4]);
  });

  test("prefers the longest matching suffix, and the latest occurrence", () => {
    const h = [7, 3, 4, 8, 2, 3, 4, 6, 2, 3, 4];
    expect(ngramDraft(h, 2)).toEqual([6, 2]); // [2,3,4] at 4..6, not [3,4] at 1..2
  });

  test("a draft ends before an image's placeholder entries (negative ids)", () => {
    expect(ngramDraft([1, 2, 3, -1, -1, 4, 1, 2], 8)).toEqual([3]);
  });

  test("nothing without a repeated bigram, or with max 0", () => {
    expect(ngramDraft([1, 2, 3, 4, 5], 8)).toEqual([]);
    expect(ngramDraft([1, 2, 1, 2], 0)).toEqual([]);
    expect(ngramDraft([5], 4)).toEqual([]);
  });
});

describe("draft options", () => {
  test("Ollama's draft_num_predict is n_max; 0 turns drafting off; draft picks the mode", () => {
    expect(speculativeOptions({})).toBeUndefined();
    expect(speculativeOptions({ draft_num_predict: 8 })).toEqual({ n_max: 8 });
    expect(speculativeOptions({ draft_num_predict: 0 })).toEqual({ type: "off" });
    expect(speculativeOptions({ draft: "ngram", draft_min: 2 })).toEqual({ type: "ngram", n_min: 2 });
    expect(() => speculativeOptions({ draft: "eagle" })).toThrow(/"off", "ngram" or "model"/);
  });

  test("merged from Modelfile parameters and request options, kept out of the sampler's", () => {
    const o = mergeOptions({ draft: "ngram", temperature: 0 }, { draft_num_predict: 4 });
    expect(o.speculative).toEqual({ type: "ngram", n_max: 4 });
    expect(o.sampling).toEqual({ temperature: 0 });
    expect(() => mergeOptions({}, { draft_num_predict: 65 })).toThrow(/between 0 and 64/);
    expect(() => mergeOptions({}, { draft: 3 })).toThrow(/must be of type string/);
  });
});

describe("create-time draft vocabulary check", () => {
  const gguf = (tokens: string[], model = "llama") =>
    ({ metadata: { "tokenizer.ggml.tokens": tokens, "tokenizer.ggml.model": model } }) as unknown as GgufFile;

  test("same tokens pass; another size, token or tokenizer is refused (400)", () => {
    checkDraftVocabulary(gguf(["a", "b", "c"]), gguf(["a", "b", "c"]));
    const bad = [gguf(["a", "b"]), gguf(["a", "x", "c"]), gguf(["a", "b", "c"], "gpt2")];
    for (const d of bad) {
      let err: unknown;
      try {
        checkDraftVocabulary(gguf(["a", "b", "c"]), d);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DraftVocabularyError);
      expect((err as DraftVocabularyError).status).toBe(400);
    }
  });
});
