import { describe, expect, test } from "bun:test";
import type { WireChunk } from "../protocol.ts";
import { holdPieces, mergePieces } from "./piece-hold.ts";

describe("holdPieces", () => {
  test("0 ms passes every record through", () => {
    const out: WireChunk[] = [];
    const send = holdPieces(0, (c) => out.push(c));
    send({ content: "a", tokens: [1] });
    send({ content: "b", tokens: [2] });
    expect(out).toHaveLength(2);
  });

  test("the first piece goes at once, later ones are merged and flushed before the final record", () => {
    const out: WireChunk[] = [];
    const send = holdPieces(60_000, (c) => out.push(c));
    send({ content: "a", tokens: [1] });
    expect(out).toEqual([{ content: "a", tokens: [1] }]);
    send({ content: "b", tokens: [2] });
    send({ content: "c", tokens: [3, 4] });
    expect(out).toHaveLength(1);
    send({ done: true, done_reason: "stop", content: "", timings: {} });
    expect(out).toEqual([
      { content: "a", tokens: [1] },
      { content: "bc", tokens: [2, 3, 4] },
      { done: true, done_reason: "stop", content: "", timings: {} },
    ]);
  });

  test("an error record also flushes what is held first", () => {
    const out: WireChunk[] = [];
    const send = holdPieces(60_000, (c) => out.push(c));
    send({ content: "a" });
    send({ content: "b" });
    send({ error: "boom", code: "x", status: 500 });
    expect(out.map((c) => c.content ?? c.error)).toEqual(["a", "b", "boom"]);
  });
});

describe("mergePieces", () => {
  test("texts, tokens and log-probabilities in order", () => {
    const lp = (id: number) => ({ token: String(id), id, logprob: -1, top: [] });
    expect(
      mergePieces(
        { content: "x", tokens: [1], logprobs: [lp(1)] },
        { content: "y", tokens: [2], logprobs: [lp(2)] },
      ),
    ).toEqual({ content: "xy", tokens: [1, 2], logprobs: [lp(1), lp(2)] });
    expect(mergePieces({ content: "x" }, { content: "y" })).toEqual({ content: "xy" });
  });
});
