import { describe, expect, test } from "bun:test";
import { hoistStrings, restoreStrings } from "./hoist.ts";

const big = (c: string) => c.repeat(70 * 1024);

describe("hoistStrings / restoreStrings", () => {
  test("big strings travel as flat fields and come back in place", () => {
    const value = {
      model: "m",
      prompt: big("a"),
      images: ["small", big("b")],
      options: { stop: [big("c")], n: 1, keep: null },
      messages: [{ role: "user", content: big("d") }],
    };
    const copy = structuredClone(value);
    const h = hoistStrings(value);
    expect(h.skeleton.length).toBeLessThan(500);
    expect(Object.keys(h).filter((k) => /^s\d+$/.test(k))).toHaveLength(4);
    for (const v of Object.values(h)) expect(typeof v).toBe("string");
    expect(restoreStrings(h)).toEqual(copy);
  });

  test("a body that is one big string, or has no big strings", () => {
    expect(restoreStrings(hoistStrings(big("x")))).toBe(big("x"));
    const plain = { a: [1, "two", { three: 3 }] };
    const h = hoistStrings(structuredClone(plain));
    expect(h.paths).toBe("[]");
    expect(restoreStrings(h)).toEqual(plain);
    expect(restoreStrings(hoistStrings(null))).toBeNull();
  });

  test("keys that look like indices or need escaping survive", () => {
    const value = { "0": { "a/b": big("y") }, "": [big("z")] };
    const copy = structuredClone(value);
    expect(restoreStrings(hoistStrings(value))).toEqual(copy);
  });
});
