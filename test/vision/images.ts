/** Test images made in memory: PNG (stored deflate through zlib) and PPM, deterministic from a seed. */
import { deflateSync } from "node:zlib";
import { createHash } from "node:crypto";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = (CRC_TABLE[(c ^ x) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** RGB pixels of a w×h image, a pattern varied by `seed`. */
function pixels(w: number, h: number, seed: number): Uint8Array {
  const px = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    px[i * 3] = (i * 7 + seed * 31) & 0xff;
    px[i * 3 + 1] = ((i % w) * 5 + seed * 17) & 0xff;
    px[i * 3 + 2] = (Math.floor(i / w) * 3 + seed * 11) & 0xff;
  }
  return px;
}

/** A w×h RGB PNG. */
export function png(w = 48, h = 40, seed = 1): Uint8Array {
  const px = pixels(w, h, seed);
  const raw = new Uint8Array(h * (w * 3 + 1));
  for (let y = 0; y < h; y++) raw.set(px.subarray(y * w * 3, (y + 1) * w * 3), y * (w * 3 + 1) + 1);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(
    Buffer.concat([
      sig,
      chunk("IHDR", ihdr),
      chunk("IDAT", deflateSync(raw)),
      chunk("IEND", new Uint8Array(0)),
    ]),
  );
}

/** A w×h binary PPM (P6). */
export function ppm(w = 20, h = 20, seed = 2): Uint8Array {
  return new Uint8Array(Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), pixels(w, h, seed)]));
}

/** An image as a runner request carries it (base64 data, sha256 id). */
export function imageInput(bytes: Uint8Array): { data: string; id: string } {
  return {
    data: Buffer.from(bytes).toString("base64"),
    id: createHash("sha256").update(bytes).digest("hex"),
  };
}

/** A PNG whose header is fine but whose pixel data is garbage: passes the format check, fails to decode. */
export function corruptPng(): Uint8Array {
  const good = png();
  const bad = new Uint8Array(good);
  bad.fill(0x5a, 41, bad.length - 12); // overwrite the IDAT payload
  return bad;
}
