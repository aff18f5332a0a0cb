/**
 * Images inside a slot's prompt. An image occupies `nTokens` prompt entries holding one negative placeholder
 * id derived from the image's id (real token ids are never negative), so the prompt cache's prefix match
 * compares images by id: a second request about the same image reuses its KV cells instead of encoding it
 * again. An image is evaluated whole (encoded, then its embeddings decoded) before the text after it, and a
 * reused prefix never ends inside one. With M-RoPE (Qwen2-VL and kin) an image's entries advance the position
 * by `nPos` (its grid's larger side), not one each: the slot records it (Slot.spans) so text after the image
 * continues from there, as llama.cpp's own helpers place it.
 */
import type { TsllmError } from "../../../errors.ts";
import type { Slot, Task } from "./slot.ts";

/** An image in a prompt. */
export interface PromptImage {
  /** Index of its first placeholder in the prompt. */
  start: number;
  nTokens: number;
  /** How far the image advances the position (n_pos: `nTokens`, or fewer with M-RoPE). */
  nPos: number;
  /** The image's id (the hash of its bytes): equal ids are the same image. */
  id: string;
  /**
   * Encodes the image and decodes its embeddings into sequence `seq` from position `pos`; returns the position
   * after it (`pos + nPos`). Throws on failure.
   */
  evaluate(seq: number, pos: number): number;
  /** Set by the engine: encoded for this request, or found in the slot's cache. */
  encoded?: boolean;
  cached?: boolean;
}

/** `n` lowered to the start of the image it falls inside, if any (a prefix keeps images whole). */
export function imageSafePrefix(images: readonly PromptImage[] | undefined, n: number): number {
  for (const img of images ?? []) if (img.start < n && n < img.start + img.nTokens) return img.start;
  return n;
}

/** Marks the images wholly inside a reused prefix of `nPast` prompt entries as cached. */
export function markCached(images: readonly PromptImage[] | undefined, nPast: number): void {
  for (const img of images ?? []) if (img.start + img.nTokens <= nPast) img.cached = true;
}

/** Where the run of text from prompt index `i` ends: the next image's start, else the prompt's end. */
export function textRunEnd(t: Task, i: number): number {
  let end = t.req.prompt.length;
  for (const img of t.req.images ?? []) if (img.start >= i && img.start < end) end = img.start;
  return end;
}

/**
 * Evaluates the images that start where slot `s`'s prefill stands (one after another when adjacent), keeping
 * its cached tokens in step. Returns the error of a failed one (the slot's cache then ends before it).
 */
export function evaluateDueImages(s: Slot): TsllmError | null {
  const t = s.task as Task;
  const images = t.req.images;
  if (!images) return null;
  for (
    let img = images.find((x) => x.start === t.nPast);
    img;
    img = images.find((x) => x.start === t.nPast)
  ) {
    try {
      img.evaluate(s.id, s.pos());
    } catch (e) {
      return e as TsllmError;
    }
    for (let i = 0; i < img.nTokens; i++) s.cached.push(t.req.prompt[t.nPast + i] as number);
    s.addSpan(t.nPast, img.nTokens, img.nPos);
    t.nPast += img.nTokens;
    img.encoded = true;
  }
  return null;
}
