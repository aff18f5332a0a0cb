import { describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import { LineChannel } from "./lines.ts";

describe("LineChannel", () => {
  test("lines split across reads, several lines in one read, and a multi-byte character cut in two", () => {
    const got: string[] = [];
    const ch = new LineChannel({} as Socket<unknown>, (l) => got.push(l));
    const bytes = new TextEncoder().encode('{"a":1}\n{"b":"é€"}\n\n{"c":');
    for (let i = 0; i < bytes.length; i += 3) ch.data(bytes.subarray(i, i + 3));
    ch.data(new TextEncoder().encode(`${"x".length}}\n`));
    expect(got).toEqual(['{"a":1}', '{"b":"é€"}', '{"c":1}']);
  });

  test("a long line arriving in many reads comes out whole", () => {
    const got: string[] = [];
    const ch = new LineChannel({} as Socket<unknown>, (l) => got.push(l));
    const long = "y".repeat(1_000_000);
    const bytes = new TextEncoder().encode(`${long}\nz\n`);
    for (let i = 0; i < bytes.length; i += 65536) ch.data(bytes.subarray(i, i + 65536));
    expect(got).toEqual([long, "z"]);
  });
});
