/**
 * Where images sit in a prompt: the runner's media marker once per image, in each message's text (as Ollama
 * places its `[img-N]` tags: a `[img]` placeholder the client wrote is replaced, else the marker goes before
 * the text), and what an image costs in the context.
 */
import { QWEN_VL_PROJECTORS, qwenVlImageGrid } from "../gguf/clip-grid.ts";
import type { GgufFile } from "../gguf/reader.ts";
import type { ChatMessage } from "../templates/index.ts";
import { ImageMarkerInTextError } from "./vision-errors.ts";

/** The marker libmtmd replaces with an image's embeddings (mtmd_default_marker). */
export const MEDIA_MARKER = "<__media__>";

const PLACEHOLDER = "[img]";

/** `text` with one marker per image: each `[img]` placeholder in turn, the rest before the text. */
export function markText(text: string, images: number): string {
  if (text.includes(MEDIA_MARKER)) throw new ImageMarkerInTextError(MEDIA_MARKER);
  let prefix = "";
  let out = text;
  for (let i = 0; i < images; i++) {
    if (out.includes(PLACEHOLDER)) out = out.replace(PLACEHOLDER, MEDIA_MARKER);
    else prefix += MEDIA_MARKER;
  }
  return prefix + out;
}

/**
 * The messages with their images marked in their content; messages without images are unchanged. No text of
 * the conversation may spell the marker itself: it would take an image's place.
 */
export function markMessages<M extends Pick<ChatMessage, "content" | "images">>(messages: readonly M[]): M[] {
  return messages.map((m) => {
    if (m.images?.length) return { ...m, content: markText(m.content ?? "", m.images.length) };
    if (m.content?.includes(MEDIA_MARKER)) throw new ImageMarkerInTextError(MEDIA_MARKER);
    return m;
  });
}

/** How many markers a rendered prompt holds. */
export function countMarkers(prompt: string): number {
  return prompt.split(MEDIA_MARKER).length - 1;
}

/**
 * Tokens one image takes in the context, and whether the number is exact for this projector; `sized` gives
 * the count for an image of a given size where the projector's count depends on it (Qwen-VL: then `tokens`
 * is what an image of unknown size is taken to cost).
 */
export interface ImageCost {
  tokens: number;
  exact: boolean;
  sized?: (width: number, height: number) => number;
}

/** What `images` cost together: each by its size where the projector says so and the size is known. */
export function imagesTokens(
  cost: ImageCost,
  images: readonly { width?: number; height?: number }[],
): number {
  let n = 0;
  for (const img of images)
    n += cost.sized && img.width && img.height ? cost.sized(img.width, img.height) : cost.tokens;
  return n;
}

// Ollama's chatPrompt counts every image as 768 tokens when it cannot know better.
const DEFAULT_IMAGE_TOKENS = 768;

const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : 0);

/**
 * An image's context cost from the projector's metadata: LLaVA-style projectors (mlp, mlp_norm) emit one token
 * per patch of the square input, ldp/ldpv2 a quarter of that (clip.cpp clip_n_output_tokens); Qwen-VL's count
 * follows each image's size (gguf/clip-grid.ts). Other projectors whose count depends on the image's size get
 * Ollama's estimate, which truncation may use but refusals may not.
 */
export function imageCost(projector: GgufFile | undefined): ImageCost {
  const meta = projector?.metadata ?? {};
  const size = num(meta["clip.vision.image_size"]);
  const patch = num(meta["clip.vision.patch_size"]);
  const type = String(meta["clip.projector_type"] ?? "mlp");
  if (patch > 0 && QWEN_VL_PROJECTORS.has(type)) {
    const merge = num(meta["clip.vision.spatial_merge_size"]) || 2;
    const sized = (w: number, h: number) => {
      const { nx, ny } = qwenVlImageGrid(w, h, patch, merge);
      return nx * ny;
    };
    return { tokens: DEFAULT_IMAGE_TOKENS, exact: true, sized };
  }
  if (size > 0 && patch > 0) {
    const patches = Math.floor(size / patch) ** 2;
    if (type === "mlp" || type === "mlp_norm") return { tokens: patches, exact: true };
    if (type === "ldp" || type === "ldpv2") return { tokens: Math.floor(patches / 4), exact: true };
  }
  return { tokens: DEFAULT_IMAGE_TOKENS, exact: false };
}
