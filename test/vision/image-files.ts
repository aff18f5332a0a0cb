/** Test images for serve's checks: PNGs of any size (a huge one streamed through zlib), and tiny known files. */
import { createDeflate, deflateSync } from "node:zlib";

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, Bun.hash.crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function ihdr(width: number, height: number): Uint8Array {
  const d = new Uint8Array(13);
  const v = new DataView(d.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  d[8] = 8; // bit depth
  d[9] = 2; // RGB
  return chunk("IHDR", d);
}

const SIG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function png(width: number, height: number, idat: Uint8Array): Uint8Array {
  return Buffer.concat([SIG, ihdr(width, height), chunk("IDAT", idat), chunk("IEND", new Uint8Array())]);
}

/** A small RGB PNG: a gradient varied by `seed`, so different seeds give different images. */
export function smallPng(width = 32, height = 32, seed = 0): Uint8Array {
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = y * (1 + width * 3) + 1 + x * 3;
      raw[o] = (x * 8 + seed * 40) & 255;
      raw[o + 1] = (y * 8 + seed * 70) & 255;
      raw[o + 2] = (x * y + seed * 13) & 255;
    }
  return png(width, height, deflateSync(raw));
}

/** A valid solid-colour PNG of width × height, compressed row by row (never the whole raw image in memory). */
export async function hugePng(width: number, height: number): Promise<Uint8Array> {
  const row = new Uint8Array(1 + width * 3).fill(200);
  row[0] = 0;
  const z = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  z.on("data", (b: Buffer) => parts.push(b));
  const done = new Promise((r) => z.on("end", r));
  for (let y = 0; y < height; y++) {
    if (!z.write(row)) await new Promise((r) => z.once("drain", r));
  }
  z.end();
  await done;
  return png(width, height, Buffer.concat(parts));
}

const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

/** Tiny files of the other formats (1×1), as widely used feature-detection samples. */
export const tiny = {
  webpLossy: b64("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA"),
  webpLossless: b64("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="),
  webpAlpha: b64(
    "UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA==",
  ),
  webpAnimated: b64(
    "UklGRlIAAABXRUJQVlA4WAoAAAASAAAAAAAAAAAAQU5JTQYAAAD/////AABBTk1GJgAAAAAAAAAAAAAAAAAAAGQAAABWUDhMDQAAAC8AAAAQBxAREYiI/gcA",
  ),
  gif: b64("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="),
};

/** A 24-bit BMP of width × height (bottom-up rows padded to 4 bytes, all black). */
export function bmp(width: number, height: number): Uint8Array {
  const stride = (width * 3 + 3) & ~3;
  const out = new Uint8Array(54 + stride * height);
  const v = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  v.setUint32(2, out.length, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, width, true);
  v.setInt32(22, height, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  return out;
}

/** A JPEG header (SOI, APP0, SOF of `marker`) of width × height; enough for header checks, not for decoding. */
export function jpegHeader(width: number, height: number, marker = 0xc0): Uint8Array {
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...new TextEncoder().encode("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof = [
    0xff,
    marker,
    0x00,
    0x0b,
    8,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    1,
    1,
    0x11,
    0,
  ];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof, 0xff, 0xd9]);
}
