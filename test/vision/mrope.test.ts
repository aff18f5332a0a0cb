/**
 * M-RoPE placement (Qwen2-VL): an image of w×h tokens advances the text position by max(w, h), not by its
 * token count. The batching engine's greedy output for prompts with images must equal a reference that places
 * every chunk where llama.cpp's own helper says (the position mtmd_helper_eval_chunk_single returns), on a
 * fresh slot and on a slot whose prompt cache already holds the image.
 */
import { describe, expect, test } from "bun:test";
import type { TsllmError } from "../../src/errors.ts";
import { Batch } from "../../src/llama/engine/batch.ts";
import type { GenerateRequest, Timings } from "../../src/llama/engine/batching/types.ts";
import type { ImagePrompt } from "../../src/llama/engine/vision.ts";
import { qwen2vlModel } from "../fixtures/models.ts";
import { argmax, visionEngine } from "./engine-rig.ts";
import { buildVisionExtras, MARKER } from "./helpers.ts";
import { imageInput, png } from "./images.ts";

const extras = buildVisionExtras();
const skip = "skip" in extras ? extras.skip : null;
if (skip) console.warn(`M-RoPE vision tests skipped: ${skip}`);

const GREEDY = { temperature: 0, repeat_penalty: 1, seed: 1 };
const N = 6;
/** The sequence the reference decodes into; the engine's two slots use 0 and 1. */
const REF_SEQ = 2;

describe.skipIf(skip !== null)("M-RoPE images (qwen2vl pair)", () => {
  const v = visionEngine(qwen2vlModel, 2048);

  const prompt = (text: string, images: { data: string; id: string }[]) =>
    v.projector.tokenize(v.ctx, text, images);

  /** Greedy tokens for `p` decoded chunk by chunk into REF_SEQ, each image where llama.cpp places it. */
  function reference(p: ImagePrompt, placeByTokens = false): number[] {
    v.ctx.seqRm(REF_SEQ, -1, -1);
    using batch = new Batch(512, 1);
    let pos = 0;
    let row = -1;
    for (let i = 0; i < p.tokens.length; ) {
      const img = p.images.find((x) => x.start === i);
      if (img) {
        const next = img.evaluate(REF_SEQ, pos);
        pos = placeByTokens ? pos + img.nTokens : next;
        i += img.nTokens;
        continue;
      }
      const end = p.images.find((x) => x.start > i)?.start ?? p.tokens.length;
      batch.clear();
      for (; i < end; i++) row = batch.add(p.tokens[i] as number, pos++, REF_SEQ, i === p.tokens.length - 1);
      v.ctx.decode(batch);
    }
    const out: number[] = [];
    for (let k = 0; k < N; k++) {
      const best = argmax(v.ctx.logits(row));
      if (v.model.vocab.isEog(best)) break;
      out.push(best);
      batch.clear();
      row = batch.add(best, pos++, REF_SEQ, true);
      v.ctx.decode(batch);
    }
    return out;
  }

  /** Runs `p` through the batching engine to its end. */
  function generate(
    p: ImagePrompt,
    extra: Partial<GenerateRequest> = {},
  ): {
    tokens: number[];
    timings: Timings;
    counts: ReturnType<ImagePrompt["counts"]>;
  } {
    const tokens: number[] = [];
    let result: { timings: Timings } | null = null;
    let failed: TsllmError | null = null;
    v.engine.submit(
      {
        prompt: p.tokens,
        images: p.images,
        sampling: GREEDY,
        stop: [],
        numPredict: N,
        numKeep: 0,
        shift: false,
        ...extra,
      },
      {
        piece: (x) => tokens.push(...x.tokens),
        done: (_reason, _content, timings) => {
          result = { timings };
        },
        error: (e) => {
          failed = e;
        },
      },
    );
    while (!result && !failed) v.engine.step();
    if (failed) throw failed;
    return { tokens, timings: (result as unknown as { timings: Timings }).timings, counts: p.counts() };
  }

  const text = (images: number) =>
    `<|im_start|>user\n${MARKER.repeat(images)}What is in this picture?<|im_end|>\n<|im_start|>assistant\n`;

  test("the projector uses M-RoPE: an image advances the position by less than its token count", () => {
    expect(v.projector.mrope).toBe(true);
    const p = prompt(text(1), [imageInput(png(96, 40, 3))]);
    try {
      const [img] = p.images;
      expect(img?.nTokens).toBeGreaterThan(img?.nPos ?? Infinity);
      expect(img?.nPos).toBeGreaterThan(0);
    } finally {
      p.release();
    }
  });

  test("text after an image continues where llama.cpp places it, on a fresh and on a reused slot", () => {
    const img = imageInput(png(96, 40, 4));
    const p = prompt(text(1), [img]);
    try {
      const want = reference(p);
      expect(want.length).toBeGreaterThan(0);
      // Placing the text after the image by token count gives other output: the check below can tell.
      expect(reference(p, true)).not.toEqual(want);
      const first = generate(p);
      expect(first.tokens).toEqual(want);
      expect(first.counts).toEqual({ images_encoded: 1, images_cached: 0 });
      expect(first.timings.prompt_n).toBe(p.tokens.length);
      const again = prompt(text(1), [img]);
      try {
        const second = generate(again);
        expect(second.counts).toEqual({ images_encoded: 0, images_cached: 1 });
        expect(second.timings.cache_n).toBeGreaterThan(
          (p.images[0] as { start: number; nTokens: number }).start,
        );
        expect(second.tokens).toEqual(want);
      } finally {
        again.release();
      }
    } finally {
      p.release();
    }
  });

  test("a second turn about the same image reuses it and matches the reference", () => {
    const img = imageInput(png(64, 64, 5));
    const turn1 = text(1);
    const p1 = prompt(turn1, [img]);
    let reply: number[];
    try {
      reply = generate(p1).tokens;
    } finally {
      p1.release();
    }
    const turn2 = `${turn1}${v.model.vocab.detokenize(reply)}<|im_end|>\n<|im_start|>user\nAnd the colours?<|im_end|>\n<|im_start|>assistant\n`;
    const p2 = prompt(turn2, [img]);
    try {
      const want = reference(p2);
      const second = generate(p2);
      expect(second.counts).toEqual({ images_encoded: 0, images_cached: 1 });
      expect(second.tokens).toEqual(want);
    } finally {
      p2.release();
    }
  });

  test("two images in one prompt: each placed after the other's n_pos", () => {
    const twoImages = `<|im_start|>user\nCompare ${MARKER} with ${MARKER}. Which one is brighter?<|im_end|>\n<|im_start|>assistant\n`;
    const p = prompt(twoImages, [imageInput(png(96, 40, 6)), imageInput(png(40, 72, 7))]);
    try {
      expect(p.images.length).toBe(2);
      const want = reference(p);
      expect(reference(p, true)).not.toEqual(want);
      const got = generate(p);
      expect(got.counts.images_encoded + got.counts.images_cached).toBe(2);
      expect(got.tokens).toEqual(want);
    } finally {
      p.release();
    }
  });

  test("n-gram drafts after an image sit at the image-adjusted positions: output as without drafting", () => {
    const img = imageInput(png(96, 40, 8));
    // Text that repeats, so the n-gram lookup finds continuations to propose.
    const words = "red green blue red green blue red green blue red green blue";
    const p = prompt(text(1).replace("What is in this picture?", words), [img]);
    try {
      // A grammar keeps the output to the prompt's words (the model still picks among them): n-grams recur.
      const sampling = { ...GREEDY, grammar: 'root ::= (" red" | " blue"){16}' };
      const plain = generate(p, { numPredict: 24, sampling });
      const drafted = generate(p, { numPredict: 24, sampling, draft: { mode: "ngram", max: 4, min: 0 } });
      expect(drafted.tokens).toEqual(plain.tokens);
      expect(drafted.timings.draft_n_accepted ?? 0).toBeGreaterThan(0);
    } finally {
      p.release();
    }
  });
});
