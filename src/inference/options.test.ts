import { describe, expect, test } from "bun:test";
import { InvalidOptionError } from "./errors.ts";
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
