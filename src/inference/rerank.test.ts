import { describe, expect, test } from "bun:test";
import { documentTexts, rankResults } from "./rerank.ts";

const LIMIT = { maxDocuments: 3, setting: "TSLLM_MAX_RERANK_DOCUMENTS" };

describe("rerank service helpers", () => {
  test("documents are strings or objects with text, 1 to the limit of them", () => {
    expect(documentTexts(["a", { text: "b", title: "t" }], LIMIT)).toEqual(["a", "b"]);
    expect(() => documentTexts([], LIMIT)).toThrow('"documents" must be a non-empty array');
    expect(() => documentTexts(undefined, LIMIT)).toThrow('"documents" must be a non-empty array');
    expect(() => documentTexts(["a", "b", "c", "d"], LIMIT)).toThrow(
      "too many documents: 4, the limit is 3 (TSLLM_MAX_RERANK_DOCUMENTS)",
    );
  });

  test("results sort by score, ties in document order, cut to top_n", () => {
    const r = rankResults([0.1, 0.5, 0.1, -2], ["a", "b", "c", "d"], undefined, false);
    expect(r).toEqual([
      { index: 1, relevance_score: 0.5 },
      { index: 0, relevance_score: 0.1 },
      { index: 2, relevance_score: 0.1 },
      { index: 3, relevance_score: -2 },
    ]);
    expect(rankResults([0.1, 0.5, 0.1, -2], ["a", "b", "c", "d"], 2, false).map((x) => x.index)).toEqual([
      1, 0,
    ]);
  });

  test("return_documents echoes strings as { text } and objects as sent", () => {
    const r = rankResults([1, 2], ["a", { text: "b", id: 7 }], undefined, true);
    expect(r).toEqual([
      { index: 1, relevance_score: 2, document: { text: "b", id: 7 } },
      { index: 0, relevance_score: 1, document: { text: "a" } },
    ]);
  });

  test("a non-finite score is an error, not a silently misplaced result", () => {
    expect(() => rankResults([1, Number.NaN], ["a", "b"], undefined, false)).toThrow(
      "the model produced a non-finite score for document 1",
    );
  });
});
