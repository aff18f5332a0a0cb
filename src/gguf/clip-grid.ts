/**
 * How llama.cpp's clip (libmtmd) sizes an image for Qwen-VL projectors (qwen2vl_merger, qwen2.5vl_merger,
 * qwen3vl_merger): resized to multiples of merge × patch pixels keeping the aspect ratio, between 8 and 4096
 * merged tokens (transformers' smart_resize, clip.cpp's set_limit_image_tokens(8, 4096)). The image then takes
 * nx·ny tokens and advances an M-RoPE position by max(nx, ny).
 */

/** The token grid (width × height, after merging) an image of `width`×`height` pixels becomes. */
export function qwenVlImageGrid(
  width: number,
  height: number,
  patchSize: number,
  merge = 2,
): { nx: number; ny: number } {
  const f = patchSize * merge;
  const [minPixels, maxPixels] = [8 * f * f, 4096 * f * f];
  const by = (round: (x: number) => number) => (x: number) => round(x / f) * f;
  let w = Math.max(f, by(Math.round)(width));
  let h = Math.max(f, by(Math.round)(height));
  if (w * h > maxPixels) {
    const beta = Math.sqrt((width * height) / maxPixels);
    w = Math.max(f, by(Math.floor)(width / beta));
    h = Math.max(f, by(Math.floor)(height / beta));
  } else if (w * h < minPixels) {
    const beta = Math.sqrt(minPixels / (width * height));
    w = by(Math.ceil)(width * beta);
    h = by(Math.ceil)(height * beta);
  }
  return { nx: w / f, ny: h / f };
}

/** The projector types whose image size decides the token count by qwenVlImageGrid. */
export const QWEN_VL_PROJECTORS = new Set(["qwen2vl_merger", "qwen2.5vl_merger", "qwen3vl_merger"]);
