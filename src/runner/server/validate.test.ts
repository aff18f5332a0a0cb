import { describe, expect, test } from "bun:test";
import { checkGenerate, type GenerateInput } from "./validate.ts";

const LIMITS = { nVocab: 100, nCtx: 512 };
const req = (o: Partial<GenerateInput> = {}): GenerateInput => ({
  prompt: [1, 2, 3],
  sampling: {},
  stop: [],
  numPredict: -1,
  numKeep: 4,
  shift: true,
  ...o,
});

describe("checkGenerate", () => {
  test("prompt ids and logit-bias ids must be in the vocabulary", () => {
    expect(() => checkGenerate(req({ prompt: [1, 100] }), LIMITS)).toThrow(
      "token id 100 is out of range (vocabulary has 100 tokens)",
    );
    expect(() => checkGenerate(req({ prompt: [1.5] }), LIMITS)).toThrow("token id 1.5");
    expect(() => checkGenerate(req({ sampling: { logitBias: { 100: 1 } } }), LIMITS)).toThrow("token id 100");
    expect(() => checkGenerate(req({ sampling: { logitBias: { 5: Number.NaN } } }), LIMITS)).toThrow(
      "logit bias of token 5",
    );
    expect(checkGenerate(req({ prompt: "text is tokenized later" }), LIMITS).prompt).toBe(
      "text is tokenized later",
    );
  });

  test("non-finite or float32-overflowing numbers are 400s", () => {
    for (const sampling of [{ temperature: Number.POSITIVE_INFINITY }, { top_p: 1e39 }, { top_k: 2 ** 40 }]) {
      let status = 0;
      try {
        checkGenerate(req({ sampling }), LIMITS);
      } catch (e) {
        status = (e as { status: number }).status;
      }
      expect({ sampling, status }).toEqual({ sampling, status: 400 });
    }
  });

  test("history and divisors are bounded so libllama never allocates or divides absurdly", () => {
    const s = checkGenerate(
      req({ sampling: { repeat_last_n: 2 ** 31 - 1, temperature: 1e-40, repeat_penalty: 0 } }),
      LIMITS,
    ).sampling;
    expect(s.repeat_last_n).toBe(512);
    expect(s.temperature).toBe(1e-4);
    expect(s.repeat_penalty).toBe(1e-4);
    expect(checkGenerate(req({ sampling: { repeat_last_n: -1, temperature: 0 } }), LIMITS).sampling).toEqual({
      repeat_last_n: 512,
      temperature: 0,
    });
  });
});
