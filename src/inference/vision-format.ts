/**
 * Image formats told from their bytes and sized from their headers, without decoding a pixel: PNG, JPEG,
 * GIF (first frame) and BMP go to the runner as they are (its stb_image reads them); WebP is converted first.
 * A header that cannot be read is refused here, so a runner never sees obviously broken bytes.
 */
import { InvalidImageError } from "./vision-errors.ts";

/** The formats accepted in requests. */
export type ImageFormat = "png" | "jpeg" | "gif" | "bmp" | "webp";

/** What a header says about an image. */
export interface ImageInfo {
  format: ImageFormat;
  width: number;
  height: number;
}

const u16be = (b: Uint8Array, i: number) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u16le = (b: Uint8Array, i: number) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, i: number) => u16le(b, i) | ((b[i + 2] ?? 0) << 16);
const u32be = (b: Uint8Array, i: number) => u16be(b, i) * 0x10000 + u16be(b, i + 2);
const u32le = (b: Uint8Array, i: number) => u16le(b, i) + u16le(b, i + 2) * 0x10000;
const i32le = (b: Uint8Array, i: number) => u32le(b, i) | 0;
const ascii = (b: Uint8Array, i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));
const startsWith = (b: Uint8Array, sig: readonly number[]) => sig.every((v, i) => b[i] === v);

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const SUPPORTED = "PNG, JPEG, WebP, GIF or BMP";

/** Reads format and size from `bytes`; InvalidImageError (400) names `what` when they cannot be read. */
export function imageInfo(bytes: Uint8Array, what: string): ImageInfo {
  const fail = (problem: string): never => {
    throw new InvalidImageError(what, problem);
  };
  if (bytes.length === 0) fail("the image is empty");
  let info: ImageInfo | string;
  if (startsWith(bytes, PNG_SIG)) info = png(bytes);
  else if (startsWith(bytes, [0xff, 0xd8, 0xff])) info = jpeg(bytes);
  else if (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a") info = gif(bytes);
  else if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") info = webp(bytes);
  else if (ascii(bytes, 0, 2) === "BM") info = bmp(bytes);
  else return fail(`unsupported image format (expected ${SUPPORTED})`);
  if (typeof info === "string") return fail(info);
  if (info.width <= 0 || info.height <= 0)
    return fail(`corrupt ${info.format.toUpperCase()} image: its size is ${info.width}x${info.height}`);
  return info;
}

/**
 * PNG: the IHDR size, and the chunk chain walked by its length fields up to IEND, so a truncated or
 * garbled file is caught without inflating anything.
 */
function png(b: Uint8Array): ImageInfo | string {
  if (b.length < 33 || ascii(b, 12, 4) !== "IHDR") return "corrupt PNG image: no IHDR header";
  const crc = u32be(b, 29);
  if (Bun.hash.crc32(b.subarray(12, 29)) !== crc) return "corrupt PNG image: bad IHDR checksum";
  const info: ImageInfo = { format: "png", width: u32be(b, 16), height: u32be(b, 20) };
  let at = 8;
  let idat = false;
  while (at + 12 <= b.length) {
    const len = u32be(b, at);
    const type = ascii(b, at + 4, 4);
    if (type === "IEND") return idat ? info : "corrupt PNG image: no image data (IDAT)";
    if (type === "IDAT") idat = true;
    at += 12 + len;
  }
  return "corrupt PNG image: truncated (no IEND chunk)";
}

// Start-of-frame markers: baseline and extended (C0, C1) and progressive (C2) Huffman JPEGs are read by the
// runner; lossless and arithmetic-coded variants are not.
const SOF_READ = new Set([0xc0, 0xc1, 0xc2]);
const SOF_OTHER = new Set([0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** JPEG: segments walked from SOI to the first start-of-frame, which holds the size. */
function jpeg(b: Uint8Array): ImageInfo | string {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return "corrupt JPEG image: bad segment marker";
    const marker = b[at + 1] as number;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda)
      return "corrupt JPEG image: no frame header before the image data";
    const len = u16be(b, at + 2);
    if (len < 2) return "corrupt JPEG image: bad segment length";
    if (SOF_READ.has(marker) || SOF_OTHER.has(marker)) {
      if (at + 9 > b.length) break;
      if (SOF_OTHER.has(marker))
        return "unsupported JPEG variant (lossless or arithmetic coding); send a baseline or progressive JPEG";
      return { format: "jpeg", height: u16be(b, at + 5), width: u16be(b, at + 7) };
    }
    at += 2 + len;
  }
  return "corrupt JPEG image: truncated before its frame header";
}

/** GIF: the logical screen size (the first frame is what the runner reads). */
function gif(b: Uint8Array): ImageInfo | string {
  if (b.length < 13) return "corrupt GIF image: truncated header";
  return { format: "gif", width: u16le(b, 6), height: u16le(b, 8) };
}

/** BMP: the DIB header's size (OS/2 core headers hold 16-bit sizes; a negative height is top-down). */
function bmp(b: Uint8Array): ImageInfo | string {
  if (b.length < 26) return "corrupt BMP image: truncated header";
  const dib = u32le(b, 14);
  if (dib === 12) return { format: "bmp", width: u16le(b, 18), height: u16le(b, 20) };
  if (dib < 40 || b.length < 14 + 40) return "corrupt BMP image: unknown header";
  return { format: "bmp", width: i32le(b, 18), height: Math.abs(i32le(b, 22)) };
}

/** WebP: the first chunk's size (VP8 lossy, VP8L lossless, VP8X extended); animations are refused. */
function webp(b: Uint8Array): ImageInfo | string {
  if (b.length < 30) return "corrupt WebP image: truncated header";
  const chunk = ascii(b, 12, 4);
  const d = 20;
  if (chunk === "VP8 ") {
    if (b[d + 3] !== 0x9d || b[d + 4] !== 0x01 || b[d + 5] !== 0x2a)
      return "corrupt WebP image: bad VP8 start code";
    return { format: "webp", width: u16le(b, d + 6) & 0x3fff, height: u16le(b, d + 8) & 0x3fff };
  }
  if (chunk === "VP8L") {
    if (b[d] !== 0x2f) return "corrupt WebP image: bad VP8L signature";
    const bits = u32le(b, d + 1);
    return { format: "webp", width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") {
    if ((b[d] ?? 0) & 0x02) return "animated WebP images are not supported; send a single frame";
    return { format: "webp", width: u24le(b, d + 4) + 1, height: u24le(b, d + 7) + 1 };
  }
  return `corrupt WebP image: unknown chunk ${JSON.stringify(chunk)}`;
}
