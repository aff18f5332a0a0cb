/**
 * Images through a real runner process (as serve drives it): image tokens count in prompt_eval_count and the
 * context budget, a fixed seed is deterministic, a second request about the same image reuses its encoding
 * from the slot's prompt cache, and bad images are 400s after which the runner serves on.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { imageTokens } from "../../src/gguf/synth/projector.ts";
import type { RunnerClient } from "../../src/runner/client.ts";
import type { CompletionRequest } from "../../src/runner/protocol.ts";
import { visionModel } from "../fixtures/models.ts";
import { closeAll, collect, failure, GREEDY, startRunner } from "../runner/helpers.ts";
import { buildVisionExtras, MARKER } from "./helpers.ts";
import { corruptPng, imageInput, png, ppm } from "./images.ts";

const extras = buildVisionExtras();
const skip = "skip" in extras ? extras.skip : null;
if (skip) console.warn(`vision runner tests skipped: ${skip}`);

describe.skipIf(skip !== null)("runner with a vision projector", () => {
  let files: { model: string; projector: string };
  let runner: RunnerClient;
  const before = "<|start_header_id|>user<|end_header_id|>\n\nWhat is in this picture? ";
  const after = "\nDescribe it.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
  const ask = (images: { data: string; id: string }[], extra: Partial<CompletionRequest> = {}) =>
    collect(runner, {
      prompt: `${before}${MARKER.repeat(images.length)}${after}`,
      images,
      options: { ...GREEDY, num_predict: 8 },
      ...extra,
    });

  beforeAll(async () => {
    files = await visionModel();
    runner = await startRunner(files.model, { projector: files.projector, num_ctx: 1024, num_parallel: 2 });
  });
  afterAll(closeAll);

  test("image tokens count in prompt_eval_count; a repeat reuses the image from the prompt cache", async () => {
    const img = imageInput(png());
    const textTokens =
      (await runner.tokenize(before, { addSpecial: true, parseSpecial: true })).length +
      (await runner.tokenize(after, { addSpecial: false, parseSpecial: true })).length;
    const first = await ask([img]);
    expect(first.done.timings.prompt_n + first.done.timings.cache_n).toBe(textTokens + imageTokens());
    expect(first.done.timings.images_encoded).toBe(1);
    expect(first.done.timings.images_cached).toBe(0);
    const second = await ask([img]);
    expect(second.done.timings.images_encoded).toBe(0);
    expect(second.done.timings.images_cached).toBe(1);
    expect(second.done.timings.cache_n).toBeGreaterThanOrEqual(imageTokens());
    // Greedy with a fixed seed: the same tokens whether the image was encoded or reused.
    expect(second.tokens).toEqual(first.tokens);
    expect(first.tokens.length).toBeGreaterThan(0);
  });

  test("a different image is encoded, not confused with a cached one", async () => {
    const a = await ask([imageInput(ppm(20, 20, 7))]);
    expect(a.done.timings.images_encoded).toBe(1);
    const two = await ask([imageInput(ppm(20, 20, 7)), imageInput(png(30, 30, 9))]);
    expect((two.done.timings.images_encoded ?? 0) + (two.done.timings.images_cached ?? 0)).toBe(2);
    expect(two.done.timings.images_encoded).toBeGreaterThanOrEqual(1);
  });

  test("two slots encode their images side by side", async () => {
    const [a, b] = await Promise.all([
      ask([imageInput(png(40, 30, 21))]),
      ask([imageInput(png(30, 40, 22))]),
    ]);
    expect(a.done.timings.images_encoded).toBe(1);
    expect(b.done.timings.images_encoded).toBe(1);
    expect(a.tokens.length).toBeGreaterThan(0);
    expect(b.tokens.length).toBeGreaterThan(0);
  });

  test("bad images are 400s and the runner serves the next request", async () => {
    const png1 = imageInput(png());
    const cases: [Promise<unknown>, RegExp][] = [
      [ask([imageInput(corruptPng())]), /could not be decoded/],
      [ask([{ data: "bm90IGFuIGltYWdlIGF0IGFsbA==", id: "x1" }]), /not a supported image format/],
      [collect(runner, { prompt: `${before}${after}`, images: [png1] }), /image marker/],
      [collect(runner, { prompt: `${before}${MARKER}${MARKER}${after}`, images: [png1] }), /image marker/],
      [collect(runner, { prompt: [1, 2, 3], images: [png1] }), /must be text/],
      // 70 images of 16 tokens each cannot fit 1024 cells: refused before anything is encoded.
      [ask(Array.from({ length: 70 }, () => png1)), /exceeds the context length/],
    ];
    for (const [p, message] of cases) {
      const f = await failure(p);
      expect(f?.status).toBe(400);
      expect(f?.message).toMatch(message);
    }
    expect(runner.hasExited()).toBe(false);
    const ok = await ask([png1]);
    expect(ok.done.done_reason).toBeDefined();
  });

  test("a runner without a projector refuses images", async () => {
    const plain = await startRunner(files.model, { num_ctx: 512, num_parallel: 1 });
    const f = await failure(
      collect(plain, { prompt: `x ${MARKER} y`, images: [imageInput(png())], options: { num_predict: 1 } }),
    );
    expect(f).toEqual({
      status: 400,
      message: "this model does not support images (it has no vision projector)",
    });
  });
});
