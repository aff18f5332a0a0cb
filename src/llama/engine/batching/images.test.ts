import { describe, expect, test } from "bun:test";
import { type PromptImage, imageSafePrefix, markCached, textRunEnd } from "./images.ts";
import type { Task } from "./slot.ts";

const image = (start: number, nTokens: number, id = `i${start}`): PromptImage => ({
  start,
  nTokens,
  id,
  evaluate() {},
});

describe("prompt images", () => {
  test("a reused prefix never ends inside an image", () => {
    const images = [image(3, 4), image(7, 4)];
    expect(imageSafePrefix(images, 2)).toBe(2);
    expect(imageSafePrefix(images, 3)).toBe(3);
    expect(imageSafePrefix(images, 5)).toBe(3);
    expect(imageSafePrefix(images, 7)).toBe(7); // right after the first image: the second one starts here
    expect(imageSafePrefix(images, 10)).toBe(7);
    expect(imageSafePrefix(images, 11)).toBe(11);
    expect(imageSafePrefix(undefined, 5)).toBe(5);
  });

  test("images wholly inside the reused prefix are the cached ones", () => {
    const images = [image(3, 4), image(9, 4)];
    markCached(images, 11);
    expect(images.map((i) => !!i.cached)).toEqual([true, false]);
  });

  test("a text run ends at the next image or the prompt's end", () => {
    const task = {
      req: { prompt: Array(20).fill(1), images: [image(3, 4), image(9, 4)] },
    } as unknown as Task;
    expect(textRunEnd(task, 0)).toBe(3);
    expect(textRunEnd(task, 7)).toBe(9);
    expect(textRunEnd(task, 13)).toBe(20);
  });
});
