import { describe, expect, test } from "bun:test";
import { evaluateDueImages, type PromptImage, imageSafePrefix, markCached, textRunEnd } from "./images.ts";
import { Slot, type Task } from "./slot.ts";

const image = (start: number, nTokens: number, id = `i${start}`): PromptImage => ({
  start,
  nTokens,
  nPos: nTokens,
  id,
  evaluate: (_seq, pos) => pos + nTokens,
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

describe("positions with M-RoPE images (an image advances the position by n_pos, not its token count)", () => {
  /** A slot in prefill of `prompt` with `images`, its cache holding the first `cached` entries. */
  const prefilling = (prompt: number[], images: PromptImage[], cached = 0) => {
    const s = new Slot(0);
    s.cached = prompt.slice(0, cached);
    s.state = "prefill";
    s.task = { req: { prompt, images }, nPast: cached } as unknown as Task;
    return s;
  };
  const mrope = (start: number, nTokens: number, nPos: number, id = `m${start}`) => {
    const at: number[] = [];
    const img: PromptImage = {
      start,
      nTokens,
      nPos,
      id,
      evaluate: (_seq, pos) => {
        at.push(pos);
        return pos + nPos;
      },
    };
    return { img, at };
  };

  test("plain models: the position is the entry's index", () => {
    const s = new Slot(0);
    s.cached = [1, 2, 3];
    s.addSpan(1, 2, 2);
    expect(s.spans).toEqual([]);
    expect(s.pos()).toBe(3);
    expect(s.truncate(1)).toBe(1);
    expect(s.cached).toEqual([1]);
  });

  test("an image is evaluated at the next position and text after it continues from its n_pos", () => {
    // text ×3, an image of 10 entries (5×2 grid: n_pos 5), text ×2
    const a = mrope(3, 10, 5);
    const prompt = [7, 8, 9, ...Array(10).fill(-1), 4, 5];
    const s = prefilling(prompt, [a.img], 3);
    expect(evaluateDueImages(s)).toBeNull();
    expect(a.at).toEqual([3]);
    expect(s.cached.length).toBe(13);
    expect((s.task as Task).nPast).toBe(13);
    expect(s.pos()).toBe(8); // 3 + 5
    s.cached.push(4);
    expect(s.pos()).toBe(9);
    expect(s.pos(3)).toBe(3); // the image's own start
    expect(s.pos(13)).toBe(8);
  });

  test("adjacent images each advance by their own n_pos", () => {
    const a = mrope(1, 6, 3);
    const b = mrope(7, 4, 2);
    const prompt = [7, ...Array(6).fill(-1), ...Array(4).fill(-2), 5];
    const s = prefilling(prompt, [a.img, b.img], 1);
    expect(evaluateDueImages(s)).toBeNull();
    expect(a.at).toEqual([1]);
    expect(b.at).toEqual([4]);
    expect(s.pos()).toBe(6);
  });

  test("truncating keeps the lag of images still cached and drops the others'", () => {
    const a = mrope(2, 9, 3);
    const b = mrope(12, 9, 3);
    const prompt = [1, 2, ...Array(9).fill(-1), 3, ...Array(9).fill(-2), 4, 5];
    const s = prefilling(prompt, [a.img, b.img], 2);
    evaluateDueImages(s);
    s.cached.push(3);
    (s.task as Task).nPast++;
    evaluateDueImages(s);
    s.cached.push(4, 5);
    expect(s.pos()).toBe(23 - 12);
    // A reused prefix ending after the first image: the second image's cells go, its lag with them.
    expect(s.truncate(12)).toBe(12 - 6);
    expect(s.spans.length).toBe(1);
    expect(s.pos()).toBe(6);
    // An emptied cache (dropped, failed): the next position is 0 again.
    s.cached = [];
    expect(s.pos()).toBe(0);
    expect(s.spans).toEqual([]);
  });

  test("a failed image leaves the cache where it starts", () => {
    const img: PromptImage = {
      start: 1,
      nTokens: 4,
      nPos: 2,
      id: "bad",
      evaluate: () => {
        throw new Error("encode failed");
      },
    };
    const s = prefilling([1, -1, -1, -1, -1, 2], [img], 1);
    expect(evaluateDueImages(s)).toBeInstanceOf(Error);
    expect(s.cached.length).toBe(1);
    expect(s.pos()).toBe(1);
    expect(img.encoded).toBeUndefined();
  });
});
