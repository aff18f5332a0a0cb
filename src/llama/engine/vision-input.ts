/**
 * Checks on a request's images before any byte reaches native code: the id shape, base64 that decodes, and a
 * header of a format libmtmd's decoder (stb_image) reads. What passes may still fail to decode (a corrupt
 * body): libmtmd then returns null, which is answered with the same 400.
 */
import { ImageInputError } from "../ffi/mtmd-errors.ts";

/** An image as a completion request carries it. */
export interface ImageInput {
  /** Base64 of the encoded file. */
  data: string;
  /** The cache key: the sha256 hex of the original bytes. */
  id: string;
}

const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** Formats stb_image decodes, by their leading bytes. */
const SIGNATURES: { name: string; test: (b: Uint8Array) => boolean }[] = [
  { name: "PNG", test: (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((x, i) => b[i] === x) },
  { name: "JPEG", test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { name: "GIF", test: (b) => /^GIF8[79]a$/.test(String.fromCharCode(...b.subarray(0, 6))) },
  { name: "BMP", test: (b) => b[0] === 0x42 && b[1] === 0x4d },
  { name: "PPM", test: (b) => b[0] === 0x50 && b[1] === 0x36 && /\s/.test(String.fromCharCode(b[2] ?? 0)) },
];

/** The decoded bytes of image `index` (0-based); throws ImageInputError (400) when unusable. */
export function imageBytes(img: ImageInput, index: number): Uint8Array {
  const what = `image ${index + 1}`;
  if (!ID.test(img.id)) throw new ImageInputError(`${what} has an invalid id`);
  if (!BASE64.test(img.data)) throw new ImageInputError(`${what} is not valid base64`);
  const bytes = new Uint8Array(Buffer.from(img.data, "base64"));
  if (bytes.length < 8) throw new ImageInputError(`${what} is too short to be an image`);
  if (!SIGNATURES.some((s) => s.test(bytes)))
    throw new ImageInputError(`${what} is not a supported image format (PNG, JPEG, GIF, BMP or PPM)`);
  return bytes;
}
