/**
 * A Qwen2-VL pair (M-RoPE) through real runner processes: an image answers, its tokens count in
 * prompt_eval_count, a follow-up about the same image reuses it from the slot's cache and generates exactly
 * what a fresh runner generates for the same prompt, and two images in one prompt place the text between and
 * after them alike on a reused and a fresh slot. (test/vision/mrope.test.ts checks the placement itself
 * against llama.cpp's.)
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { qwen2vlImageGrid } from "../../src/gguf/synth/projector-qwen2vl.ts";
import type { RunnerClient } from "../../src/runner/client.ts";
import { qwen2vlModel } from "../fixtures/models.ts";
import { closeAll, collect, GREEDY, startRunner } from "../runner/helpers.ts";
import { buildVisionExtras, MARKER } from "./helpers.ts";
import { imageInput, png } from "./images.ts";

const extras = buildVisionExtras();
const skip = "skip" in extras ? extras.skip : null;
if (skip) console.warn(`qwen2vl runner tests skipped: ${skip}`);

const user = (text: string) => `<|im_start|>user\n${text}<|im_end|>\n<|im_start|>assistant\n`;

describe.skipIf(skip !== null)("runner with a Qwen2-VL projector (M-RoPE)", () => {
  let files: { model: string; projector: string };
  let runner: RunnerClient;
  const opts = { ...GREEDY, num_predict: 8 };
  const ask = (r: RunnerClient, prompt: string, images: { data: string; id: string }[]) =>
    collect(r, { prompt, images, options: opts });
  /** The same request on a runner that has never seen it (a fresh slot). */
  const fresh = async (prompt: string, images: { data: string; id: string }[]) => {
    const r = await startRunner(files.model, { projector: files.projector, num_ctx: 1024, num_parallel: 1 });
    try {
      return await ask(r, prompt, images);
    } finally {
      await r.close();
    }
  };

  beforeAll(async () => {
    files = await qwen2vlModel();
    runner = await startRunner(files.model, { projector: files.projector, num_ctx: 1024, num_parallel: 2 });
  });
  afterAll(closeAll);

  test("an image answers; its tokens count; a second turn reuses it and matches a fresh slot", async () => {
    const img = imageInput(png(96, 40, 11));
    const turn1 = user(`${MARKER}What is in this picture?`);
    const first = await ask(runner, turn1, [img]);
    expect(first.tokens.length).toBeGreaterThan(0);
    // libmtmd wraps the image in <|vision_start|> … <|vision_end|>.
    const text =
      (await runner.tokenize("<|im_start|>user\n<|vision_start|>", { addSpecial: true, parseSpecial: true }))
        .length +
      (
        await runner.tokenize("<|vision_end|>What is in this picture?<|im_end|>\n<|im_start|>assistant\n", {
          addSpecial: false,
          parseSpecial: true,
        })
      ).length;
    const { nx, ny } = qwen2vlImageGrid(96, 40);
    expect(first.done.timings.prompt_n + first.done.timings.cache_n).toBe(text + nx * ny);
    expect(first.done.timings.images_encoded).toBe(1);

    const repeat = await ask(runner, turn1, [img]);
    expect(repeat.done.timings.images_cached).toBe(1);
    expect(repeat.done.timings.images_encoded).toBe(0);
    expect(repeat.tokens).toEqual(first.tokens);

    const turn2 = `${turn1}${first.text}<|im_end|>\n${user("And what colour is it?")}`;
    const second = await ask(runner, turn2, [img]);
    expect(second.done.timings.images_cached).toBe(1);
    expect(second.done.timings.images_encoded).toBe(0);
    expect(second.done.timings.cache_n).toBeGreaterThan(nx * ny);
    expect(second.tokens).toEqual((await fresh(turn2, [img])).tokens);
  });

  test("two images in one prompt: the same tokens on a reused and on a fresh slot", async () => {
    const a = imageInput(png(96, 40, 12));
    const b = imageInput(png(40, 72, 13));
    const prompt = user(`Compare ${MARKER} with ${MARKER}. Which one is brighter?`);
    const got = await ask(runner, prompt, [a, b]);
    expect((got.done.timings.images_encoded ?? 0) + (got.done.timings.images_cached ?? 0)).toBe(2);
    const again = await ask(runner, prompt, [a, b]);
    expect(again.done.timings.images_cached).toBe(2);
    expect(again.tokens).toEqual(got.tokens);
    expect(got.tokens).toEqual((await fresh(prompt, [a, b])).tokens);
  });
});
