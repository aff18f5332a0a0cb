/**
 * Request images: base64 checked the way Ollama's Go server decodes `ImageData` ([]byte, so
 * base64.StdEncoding through encoding/json), and refused by a model without the vision capability.
 */
import { InvalidInputError } from "../errors.ts";
import { type ResolvedModel, requireCapability } from "./model.ts";

const ALPHABET = new Uint8Array(256);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
  ALPHABET[c.charCodeAt(0)] = 1;

const PAD = 0x3d; // "="
const isNewline = (b: number | undefined) => b === 0x0a || b === 0x0d;
const QUICK = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The byte offset Go's base64.StdEncoding.Decode reports for `s` (CorruptInputError), or -1 when it decodes.
 * A port of its decodeQuantum walk: newlines are skipped, "=" pads only the last quantum, nothing may follow.
 */
export function base64ErrorOffset(s: string): number {
  if (s.length % 4 === 0 && QUICK.test(s)) return -1;
  const src = new TextEncoder().encode(s);
  let si = 0;
  while (si < src.length) {
    let j = 0;
    while (j < 4) {
      if (si === src.length) return j === 0 ? -1 : si - j;
      const b = src[si++] as number;
      if (ALPHABET[b]) {
        j++;
        continue;
      }
      if (isNewline(b)) continue;
      if (b !== PAD || j < 2) return si - 1;
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return src.length;
        if (src[si] !== PAD) return si - 1;
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      return si < src.length ? si : -1;
    }
  }
  return -1;
}

/** Throws Ollama's 400 (`illegal base64 data at input byte N`) for the first image that is not base64. */
export function checkImages(images: readonly unknown[] | undefined): void {
  for (const image of images ?? []) {
    if (typeof image !== "string") continue;
    const at = base64ErrorOffset(image);
    if (at >= 0) throw new InvalidInputError(`illegal base64 data at input byte ${at}`);
  }
}

/** Images for a model without vision are refused (`<model> does not support vision`, 400), not dropped. */
export function requireVision(m: ResolvedModel, imageCount: number): void {
  if (imageCount > 0) requireCapability(m, "vision");
}
