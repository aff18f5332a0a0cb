import { describe, expect, test } from "bun:test";
import { InvalidOptionError, OptionRangeError } from "./errors.ts";
import { checkOptionBounds, MAX_CONTEXT } from "./option-bounds.ts";
import { mergeOptions } from "./options.ts";

describe("mergeOptions", () => {
  test("request options override Modelfile parameters and are split by where they apply", () => {
    const r = mergeOptions(
      { temperature: 0.7, num_ctx: 2048, stop: ["a"] },
      { temperature: 0.1, num_gpu: 0, top_k: 5.9, use_mmap: false },
    );
    expect(r.load).toEqual({ num_ctx: 2048, num_gpu: 0, use_mmap: false });
    expect(r.sampling).toEqual({ temperature: 0.1, stop: ["a"], top_k: 5 });
  });

  test("unknown and deprecated keys are dropped with a warning", () => {
    const warned: string[] = [];
    const logger = { warn: (_m: string, f?: Record<string, unknown>) => warned.push(String(f?.option)) };
    const r = mergeOptions({}, { bogus: 1, penalize_newline: true, seed: 3 }, logger as never);
    expect(r.sampling).toEqual({ seed: 3 });
    expect(warned.sort()).toEqual(["bogus", "penalize_newline"]);
  });

  test("wrong types are a 400 naming the option and its type", () => {
    expect(() => mergeOptions({}, { temperature: "hot" })).toThrow(InvalidOptionError);
    expect(() => mergeOptions({}, { num_ctx: true })).toThrow('option "num_ctx" must be of type integer');
    expect(() => mergeOptions({}, { stop: [1] })).toThrow('option "stop" must be of type array');
    expect(mergeOptions({}, { stop: "x" }).sampling.stop).toEqual(["x"]);
  });
});

describe("option bounds", () => {
  test("out-of-range values are a 400 naming the option and the range", () => {
    expect(() => mergeOptions({}, { num_batch: 0 })).toThrow(
      `option "num_batch" must be between 1 and ${MAX_CONTEXT}, got 0`,
    );
    expect(() => mergeOptions({}, { top_p: 1.5 })).toThrow(OptionRangeError);
    expect(() => mergeOptions({}, { temperature: Number.POSITIVE_INFINITY })).toThrow('"temperature"');
    expect(() => mergeOptions({}, { num_ctx: 128, num_keep: 129 })).toThrow('"num_keep"');
  });

  test("num_thread: a request above the cores is refused, a Modelfile's is lowered to them", () => {
    const opts = { num_thread: 64 };
    expect(() => checkOptionBounds({ ...opts }, new Set(["num_thread"]), 2)).toThrow(
      `option "num_thread" must be between 0 and 2 (the machine's logical cores), got 64`,
    );
    const fromModelfile = { ...opts };
    checkOptionBounds(fromModelfile, new Set(), 2);
    expect(fromModelfile.num_thread).toBe(2);
  });

  test("values inside every range pass unchanged", () => {
    const r = mergeOptions(
      { num_thread: 0 },
      { num_batch: 1, num_predict: -2, num_keep: -1, num_gpu: -1, repeat_last_n: -1, mirostat: 2, seed: -1 },
    );
    expect(r.load).toEqual({ num_thread: 0, num_batch: 1, num_gpu: -1 });
    expect(r.sampling).toEqual({ num_predict: -2, num_keep: -1, repeat_last_n: -1, mirostat: 2, seed: -1 });
  });
});
