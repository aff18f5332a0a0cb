import { describe, expect, test } from "bun:test";
import { imageInput, png, ppm } from "../../../test/vision/images.ts";
import { ImageInputError } from "../ffi/mtmd-errors.ts";
import { imageBytes } from "./vision-input.ts";

const b64 = (b: Uint8Array | string) => Buffer.from(b).toString("base64");

describe("image input checks before native code", () => {
  test("PNG, PPM, JPEG, GIF and BMP headers pass, with their bytes", () => {
    const p = png();
    expect(imageBytes(imageInput(p), 0)).toEqual(p);
    expect(imageBytes(imageInput(ppm()), 0).length).toBeGreaterThan(0);
    for (const head of ["\xff\xd8\xff\xe0rest-of-jpeg", "GIF89a-rest-of-gif", "BM-rest-of-bitmap"])
      expect(() => imageBytes({ data: b64(Buffer.from(head, "latin1")), id: "a" }, 0)).not.toThrow();
  });

  test("bad ids, bad base64, short or unknown bytes are ImageInputErrors (400) naming the image", () => {
    const cases: [{ data: string; id: string }, RegExp][] = [
      [{ data: b64(png()), id: "" }, /image 2 has an invalid id/],
      [{ data: b64(png()), id: "../etc" }, /invalid id/],
      [{ data: "not base64!!", id: "a" }, /not valid base64/],
      [{ data: b64("tiny"), id: "a" }, /too short/],
      [{ data: b64("RIFF....WAVEfmt "), id: "a" }, /not a supported image format/],
    ];
    for (const [img, message] of cases) {
      let err: unknown;
      try {
        imageBytes(img, 1);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ImageInputError);
      expect((err as ImageInputError).status).toBe(400);
      expect((err as Error).message).toMatch(message);
    }
  });
});
