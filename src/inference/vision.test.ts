import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { hugePng, smallPng, tiny } from "../../test/vision/image-files.ts";
import type { InferenceConfig } from "./deps.ts";
import { prepareImage } from "./vision.ts";
import { ImagePixelLimitError, InvalidImageError } from "./vision-errors.ts";
import {
  countMarkers,
  imageCost,
  imagesTokens,
  markMessages,
  markText,
  MEDIA_MARKER,
} from "./vision-prompt.ts";
import { WebpConverter } from "./vision-webp.ts";

const webp = new WebpConverter();
afterAll(() => webp.close());
const deps = { config: { maxImagePixels: 1_000_000 } as InferenceConfig, webp };
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

describe("images made ready for the runner", () => {
  test("a PNG goes as it is, keyed by the sha256 of its bytes", async () => {
    const png = smallPng();
    const r = await prepareImage(deps, b64(png), "images[0]");
    expect(r).toEqual({ data: b64(png), id: createHash("sha256").update(png).digest("hex") });
  });

  test("base64 broken into lines is joined", async () => {
    const s = b64(smallPng());
    const r = await prepareImage(deps, `${s.slice(0, 40)}\n${s.slice(40)}`, "x");
    expect(r.data).toBe(s);
  });

  test("WebP becomes a PPM (P6) of the same size; the id stays the original's", async () => {
    for (const w of [tiny.webpLossy, tiny.webpLossless, tiny.webpAlpha]) {
      const r = await prepareImage(deps, b64(w), "x");
      const ppm = Buffer.from(r.data, "base64");
      expect(ppm.subarray(0, 11).toString()).toBe("P6\n1 1\n255\n");
      expect(ppm.length).toBe(11 + 3);
      expect(r.id).toBe(createHash("sha256").update(w).digest("hex"));
    }
  });

  test("a WebP whose body is broken is a 400", async () => {
    const broken = tiny.webpLossy.slice();
    broken.fill(0, 26);
    await expect(prepareImage(deps, b64(broken), "x")).rejects.toBeInstanceOf(InvalidImageError);
  });

  test("more pixels than the limit: refused from the header", async () => {
    const e = await prepareImage(deps, b64(await hugePng(2000, 1000)), "messages[0].images[0]").catch(
      (e) => e,
    );
    expect(e).toBeInstanceOf(ImagePixelLimitError);
    expect(e.message).toBe(
      "messages[0].images[0] is 2000x1000 (2.0 megapixels), larger than the limit of 1.0 megapixels (TSLLM_MAX_IMAGE_PIXELS)",
    );
  });
});

describe("image markers in the prompt", () => {
  test("before the text, or at each [img] placeholder", () => {
    expect(markText("what is this?", 2)).toBe(`${MEDIA_MARKER}${MEDIA_MARKER}what is this?`);
    expect(markText("a [img] and b", 2)).toBe(`${MEDIA_MARKER}a ${MEDIA_MARKER} and b`);
    expect(() => markText(`x ${MEDIA_MARKER}`, 1)).toThrow("may not contain the image marker");
    const msgs = markMessages([
      { role: "user", content: "hi" },
      { role: "user", content: "x", images: ["a"] },
    ]);
    expect(msgs.map((m) => m.content)).toEqual(["hi", `${MEDIA_MARKER}x`]);
    expect(countMarkers(`a${MEDIA_MARKER}b${MEDIA_MARKER}`)).toBe(2);
  });

  test("an image's context cost from the projector", () => {
    const gguf = (meta: Record<string, unknown>) => ({ metadata: meta, tensors: [] }) as never;
    const base = { "clip.vision.image_size": 224, "clip.vision.patch_size": 14 };
    expect(imageCost(gguf({ ...base, "clip.projector_type": "mlp" }))).toEqual({ tokens: 256, exact: true });
    expect(imageCost(gguf({ ...base, "clip.projector_type": "ldpv2" }))).toEqual({ tokens: 64, exact: true });
    // Qwen-VL: by each image's size (a 96×40 image → 5×2 merged 28-pixel cells); 768 for an unknown size.
    const qwen = imageCost(gguf({ ...base, "clip.projector_type": "qwen2vl_merger" }));
    expect(qwen.sized?.(96, 40)).toBe(10);
    expect(qwen.sized?.(8000, 6000)).toBeLessThanOrEqual(4096);
    expect(imagesTokens(qwen, [{ width: 96, height: 40 }, {}])).toBe(10 + 768);
    expect(imageCost(gguf({ ...base, "clip.projector_type": "pixtral" }))).toEqual({
      tokens: 768,
      exact: false,
    });
    expect(imageCost(undefined).exact).toBe(false);
  });
});
