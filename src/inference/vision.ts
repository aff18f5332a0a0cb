/**
 * Request images made ready for the runner: base64 decoded, format and size read from the header (a corrupt,
 * unsupported or oversized image is a 400 before anything decodes it), WebP converted to PPM off the event
 * loop, and each keyed by the sha256 of its original bytes (the runner's cache key for encoded images).
 */
import { createHash } from "node:crypto";
import { ENV } from "../config/env.ts";
import type { InferenceDeps } from "./deps.ts";
import { ImagePixelLimitError, InvalidImageError } from "./vision-errors.ts";
import { imageInfo } from "./vision-format.ts";

/** An image as the runner's completion request takes it (the VN/VA runner contract). */
export interface RunnerImage {
  /** base64 of a PNG, JPEG, GIF, BMP or PPM (P6) file. */
  data: string;
  /** sha256 hex of the bytes the client sent. */
  id: string;
}

/** A prepared image's size in pixels, kept beside it (the runner's request carries only the image). */
const sizes = new WeakMap<RunnerImage, { width: number; height: number }>();

/** The size of an image from prepareImage (undefined for any other object). */
export function imageSize(image: RunnerImage): { width: number; height: number } | undefined {
  return sizes.get(image);
}

/** TSLLM_MAX_IMAGE_PIXELS when the deps do not set it. */
export const DEFAULT_MAX_IMAGE_PIXELS = Number(ENV.MAX_IMAGE_PIXELS.default);

/** The pixel limit in force. */
export function maxImagePixels(deps: Pick<InferenceDeps, "config">): number {
  return deps.config.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS;
}

/** One image checked and converted; `what` names it in errors (e.g. `messages[1].images[0]`). */
export async function prepareImage(
  deps: Pick<InferenceDeps, "config" | "webp">,
  base64: string,
  what: string,
): Promise<RunnerImage> {
  const bytes = Buffer.from(base64, "base64");
  const info = imageInfo(bytes, what);
  const limit = maxImagePixels(deps);
  if (info.width * info.height > limit) throw new ImagePixelLimitError(what, info.width, info.height, limit);
  const id = createHash("sha256").update(bytes).digest("hex");
  const sized = (image: RunnerImage) => {
    sizes.set(image, { width: info.width, height: info.height });
    return image;
  };
  if (info.format === "webp") {
    if (!deps.webp) throw new InvalidImageError(what, "WebP images are not available on this server");
    const ppm = await deps.webp.toPpm(bytes, what);
    return sized({ data: Buffer.from(ppm.buffer, ppm.byteOffset, ppm.byteLength).toString("base64"), id });
  }
  // Go's decoder (and so Ollama) accepts base64 broken into lines; the runner gets it in one piece.
  const data = /[\r\n]/.test(base64) ? bytes.toString("base64") : base64;
  return sized({ data, id });
}

/** Every image of a list, in order; `label(i)` names the i-th in errors. */
export async function prepareImages(
  deps: Pick<InferenceDeps, "config" | "webp">,
  images: readonly string[],
  label: (i: number) => string,
): Promise<RunnerImage[]> {
  const out: RunnerImage[] = [];
  for (const [i, image] of images.entries()) out.push(await prepareImage(deps, image, label(i)));
  return out;
}
