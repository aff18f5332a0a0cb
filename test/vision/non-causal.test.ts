/**
 * Gemma 3-style projectors: an image's tokens attend to each other both ways. llama.cpp's helper turns causal
 * attention off for the image's own decode and back on after it, so the text the engine decodes after an
 * image (many tokens in one batch) must equal a reference that decodes it one token at a time (where the mask
 * cannot matter). An image that does not fit one micro-batch is refused, not left to llama.cpp's abort.
 */
import { describe, expect, test } from "bun:test";
import type { TsllmError } from "../../src/errors.ts";
import { imageTokens, TINY_GEMMA3_VIT, GEMMA3_MERGE } from "../../src/gguf/synth/projector.ts";
import { Batch } from "../../src/llama/engine/batch.ts";
import { Context } from "../../src/llama/engine/context.ts";
import type { ImagePrompt } from "../../src/llama/engine/vision.ts";
import { ImageInputError } from "../../src/llama/ffi/mtmd-errors.ts";
import { gemma3VisionModel } from "../fixtures/models.ts";
import { argmax, visionEngine } from "./engine-rig.ts";
import { buildVisionExtras, MARKER } from "./helpers.ts";
import { imageInput, png } from "./images.ts";

const extras = buildVisionExtras();
const skip = "skip" in extras ? extras.skip : null;
if (skip) console.warn(`non-causal vision tests skipped: ${skip}`);

const N = 6;
const REF_SEQ = 2;
const TOKENS = imageTokens(TINY_GEMMA3_VIT) / GEMMA3_MERGE ** 2;

describe.skipIf(skip !== null)("non-causal image attention (Gemma 3-style projector)", () => {
  const v = visionEngine(gemma3VisionModel, 1024);

  /** Greedy tokens for `p` in REF_SEQ: images through llama.cpp's helper, every text token on its own. */
  function reference(p: ImagePrompt): number[] {
    v.ctx.seqRm(REF_SEQ, -1, -1);
    using batch = new Batch(8, 1);
    let pos = 0;
    let row = -1;
    const decode = (tok: number) => {
      batch.clear();
      row = batch.add(tok, pos++, REF_SEQ, true);
      v.ctx.decode(batch);
    };
    for (let i = 0; i < p.tokens.length; ) {
      const img = p.images.find((x) => x.start === i);
      if (img) {
        pos = img.evaluate(REF_SEQ, pos);
        i += img.nTokens;
      } else decode(p.tokens[i++] as number);
    }
    const out: number[] = [];
    for (let k = 0; k < N; k++) {
      const best = argmax(v.ctx.logits(row));
      if (v.model.vocab.isEog(best)) break;
      out.push(best);
      decode(best);
    }
    return out;
  }

  function generate(p: ImagePrompt): number[] {
    const tokens: number[] = [];
    let ended = false;
    let failed: TsllmError | null = null;
    v.engine.submit(
      {
        prompt: p.tokens,
        images: p.images,
        sampling: { temperature: 0, repeat_penalty: 1, seed: 1 },
        stop: [],
        numPredict: N,
        numKeep: 0,
        shift: false,
      },
      {
        piece: (x) => tokens.push(...x.tokens),
        done: () => {
          ended = true;
        },
        error: (e) => {
          failed = e;
        },
      },
    );
    while (!ended && !failed) v.engine.step();
    if (failed) throw failed;
    return tokens;
  }

  test("the image's tokens each take a position; text decoded after it in one batch is causal again", () => {
    expect(v.projector.mrope).toBe(false);
    const p = v.projector.tokenize(
      v.ctx,
      `<|start_header_id|>user<|end_header_id|>\n\n${MARKER}Describe this picture in a few words, then list its colours.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
      [imageInput(png(64, 64, 31))],
    );
    try {
      expect(p.images.map((i) => [i.nTokens, i.nPos])).toEqual([[TOKENS, TOKENS]]);
      const want = reference(p);
      expect(want.length).toBeGreaterThan(0);
      expect(generate(p)).toEqual(want);
    } finally {
      p.release();
    }
  });

  test("an image larger than one micro-batch is refused (llama.cpp would abort on it)", () => {
    using small = new Context(v.model, {
      nCtx: 256,
      nBatch: TOKENS / 2,
      nSeqMax: 1,
      nThreads: 2,
      kvUnified: true,
    });
    let error: unknown = null;
    try {
      v.projector.tokenize(small, `look ${MARKER} here`, [imageInput(png(64, 64, 32))]).release();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ImageInputError);
    expect((error as ImageInputError).status).toBe(400);
    expect((error as ImageInputError).message).toMatch(/raise num_batch/);
  });
});
