/**
 * A vision projector loaded for a model (libmtmd's mtmd_context) and prompts with images: the prompt text
 * holds one marker per image; it is tokenized into text tokens and image chunks, each image taking as many
 * prompt entries (placeholders, see batching/images.ts) as it has tokens, so image tokens count in the
 * prompt's length, the context budget and prompt_eval_count like text.
 */
import { ImageInputError, ProjectorLoadError } from "../ffi/mtmd-errors.ts";
import {
  evalImageChunk,
  freeChunks,
  freeImage,
  freeProjector,
  imageFromBytes,
  initProjector,
  chunkUsesNonCausal,
  mtmdInfo,
  projectorUsesMrope,
  tokenizeWithImages,
} from "../ffi/mtmd.ts";
import type { Ptr } from "../ffi/memory.ts";
import { native } from "../ffi/native.ts";
import { drainNativeLog } from "./backend.ts";
import type { PromptImage } from "./batching/images.ts";
import type { Context } from "./context.ts";
import { DisposedError } from "./errors.ts";
import type { Model } from "./model.ts";
import { type ImageInput, imageBytes } from "./vision-input.ts";

/** A prompt with images, tokenized: hold it until its request ends, then release it. */
export interface ImagePrompt {
  tokens: number[];
  images: PromptImage[];
  /** Frees the image chunks (idempotent). */
  release(): void;
  /** How many images were encoded for the request and how many came from the slot's cache. */
  counts(): { images_encoded: number; images_cached: number };
}

/** Owner of one mtmd_context. */
export class Projector {
  #ptr: Ptr | null;
  readonly path: string;
  /** The marker the prompt text holds once per image. */
  readonly marker: string;
  readonly #placeholders = new Map<string, number>();

  private constructor(p: Ptr, path: string, marker: string) {
    this.#ptr = p;
    this.path = path;
    this.marker = marker;
  }

  /** Loads projector `path` for `model`; throws ProjectorLoadError or MtmdUnavailableError. */
  static load(path: string, model: Model, opts: { threads: number; useGpu: boolean }): Projector {
    const { marker } = mtmdInfo();
    // mtmd logs through the llama callback it finds at start: make it this thread's, so the reason below is read.
    native().shim.tsllm_log_claim();
    drainNativeLog(); // so that what follows is this load's own log
    try {
      return new Projector(initProjector(path, model.handle, opts.threads, opts.useGpu), path, marker);
    } catch (e) {
      // mtmd says why in its log ("mismatch between text model (n_embd = 128) and mmproj (n_embd = 512)").
      const why = drainNativeLog()
        .split("\n")
        .map((l) => /\berror: (.+)/.exec(l)?.[1]?.trim())
        .filter((l): l is string => !!l)
        .at(-1);
      throw e instanceof ProjectorLoadError && why ? new ProjectorLoadError(path, why) : e;
    }
  }

  get #handle(): Ptr {
    if (!this.#ptr) throw new DisposedError("Projector");
    return this.#ptr;
  }

  /** The placeholder id of image `id`: negative, one per distinct image for this projector's lifetime. */
  #placeholder(id: string): number {
    let p = this.#placeholders.get(id);
    if (p === undefined) {
      p = -(this.#placeholders.size + 1);
      this.#placeholders.set(id, p);
    }
    return p;
  }

  /**
   * Tokenizes `text` with `images` (one marker each, in order) for evaluation in `ctx`. Throws
   * ImageInputError (400) for a marker/image count mismatch or an image that does not decode.
   */
  tokenize(ctx: Context, text: string, images: readonly ImageInput[]): ImagePrompt {
    const markers = text.split(this.marker).length - 1;
    if (markers !== images.length)
      throw new ImageInputError(
        `the prompt has ${markers} image marker(s) (${this.marker}) but ${images.length} image(s) were sent`,
        "image_count_mismatch",
      );
    const handle = this.#handle;
    const bitmaps: Ptr[] = [];
    let chunks: Ptr | null = null;
    try {
      images.forEach((img, i) => {
        bitmaps.push(imageFromBytes(handle, imageBytes(img, i), img.id, `image ${i + 1}`));
      });
      const out = tokenizeWithImages(handle, text, bitmaps, { addSpecial: true, parseSpecial: true });
      chunks = out.chunks;
      return this.#prompt(ctx, out.chunks, out.list);
    } catch (e) {
      if (chunks) freeChunks(chunks);
      throw e;
    } finally {
      for (const b of bitmaps) freeImage(b);
      drainNativeLog();
    }
  }

  #prompt(ctx: Context, chunks: Ptr, list: ReturnType<typeof tokenizeWithImages>["list"]): ImagePrompt {
    const tokens: number[] = [];
    const images: PromptImage[] = [];
    for (const c of list) {
      if (c.type === "text") {
        for (const t of c.tokens) tokens.push(t);
        continue;
      }
      const placeholder = this.#placeholder(c.id);
      const chunk = c.ptr;
      // Attending over the whole image at once (Gemma 3) needs it in one micro-batch; llama.cpp would abort.
      const nUbatch = native().llama.llama_n_ubatch(ctx.handle) as number;
      if (c.nTokens > nUbatch && chunkUsesNonCausal(this.#handle, chunk))
        throw new ImageInputError(
          `an image takes ${c.nTokens} tokens with this projector, more than one batch of ${nUbatch} (raise num_batch)`,
          "image_too_large",
        );
      images.push({
        start: tokens.length,
        nTokens: c.nTokens,
        nPos: c.nPos,
        id: c.id,
        evaluate: (seq, pos) => {
          try {
            return evalImageChunk(this.#handle, ctx.handle, chunk, pos, seq, ctx.nBatch);
          } finally {
            drainNativeLog();
          }
        },
      });
      for (let i = 0; i < c.nTokens; i++) tokens.push(placeholder);
    }
    const last = images.at(-1);
    if (last && tokens.length === last.start + last.nTokens)
      // Sampling needs a text token's logits at the end; the chunks are freed by tokenize's catch.
      throw new ImageInputError("the prompt must not end with an image (text must follow the last image)");
    let released = false;
    return {
      tokens,
      images,
      release: () => {
        if (released) return;
        released = true;
        freeChunks(chunks);
      },
      counts: () => ({
        images_encoded: images.filter((i) => i.encoded).length,
        images_cached: images.filter((i) => i.cached && !i.encoded).length,
      }),
    };
  }

  /** Whether the model places images with M-RoPE (an image advances the position by its n_pos, not its tokens). */
  get mrope(): boolean {
    return projectorUsesMrope(this.#handle);
  }

  /** Frees the projector (idempotent); every ImagePrompt of it must be released first. */
  dispose(): void {
    if (!this.#ptr) return;
    freeProjector(this.#ptr);
    this.#ptr = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
