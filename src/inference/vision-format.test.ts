import { describe, expect, test } from "bun:test";
import { bmp, hugePng, jpegHeader, smallPng, tiny } from "../../test/vision/image-files.ts";
import { InvalidImageError } from "./vision-errors.ts";
import { imageInfo } from "./vision-format.ts";

const problem = (bytes: Uint8Array) => {
  try {
    imageInfo(bytes, "images[0]");
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidImageError);
    return (e as Error).message;
  }
  throw new Error("accepted");
};

describe("image formats and sizes from headers", () => {
  test("each accepted format", () => {
    expect(imageInfo(smallPng(40, 30), "x")).toEqual({ format: "png", width: 40, height: 30 });
    expect(imageInfo(jpegHeader(640, 480), "x")).toEqual({ format: "jpeg", width: 640, height: 480 });
    expect(imageInfo(jpegHeader(64, 48, 0xc2), "x")).toEqual({ format: "jpeg", width: 64, height: 48 });
    expect(imageInfo(tiny.gif, "x")).toEqual({ format: "gif", width: 1, height: 1 });
    expect(imageInfo(bmp(7, 5), "x")).toEqual({ format: "bmp", width: 7, height: 5 });
    for (const w of [tiny.webpLossy, tiny.webpLossless, tiny.webpAlpha])
      expect(imageInfo(w, "x")).toEqual({ format: "webp", width: 1, height: 1 });
  });

  test("a huge PNG is sized without inflating it", async () => {
    const big = await hugePng(7072, 7072);
    expect(big.length).toBeLessThan(1 << 20);
    expect(imageInfo(big, "x")).toEqual({ format: "png", width: 7072, height: 7072 });
  });

  test("unsupported, truncated and corrupt bytes are named", () => {
    expect(problem(new Uint8Array())).toBe("images[0]: the image is empty");
    expect(problem(new TextEncoder().encode("hello world"))).toBe(
      "images[0]: unsupported image format (expected PNG, JPEG, WebP, GIF or BMP)",
    );
    expect(problem(new TextEncoder().encode("II*\0 tiff"))).toStartWith(
      "images[0]: unsupported image format",
    );
    const png = smallPng();
    expect(problem(png.subarray(0, png.length - 20))).toBe(
      "images[0]: corrupt PNG image: truncated (no IEND chunk)",
    );
    const flipped = png.slice();
    flipped[18] = (flipped[18] as number) ^ 0xff;
    expect(problem(flipped)).toBe("images[0]: corrupt PNG image: bad IHDR checksum");
    expect(problem(jpegHeader(10, 10).subarray(0, 12))).toStartWith("images[0]: corrupt JPEG image");
    expect(problem(jpegHeader(10, 10, 0xc3))).toStartWith("images[0]: unsupported JPEG variant");
    expect(problem(tiny.webpAnimated)).toStartWith("images[0]: animated WebP images are not supported");
    expect(problem(jpegHeader(0, 10))).toBe("images[0]: corrupt JPEG image: its size is 0x10");
  });
});
