import { describe, expect, test } from "bun:test";
import { InvalidInputError } from "../errors.ts";
import { base64ErrorOffset, checkImages } from "./images.ts";

describe("base64 as Go's base64.StdEncoding decodes ImageData", () => {
  test("valid encodings, newlines skipped", () => {
    for (const s of ["", "aGk=", "aG==", "YWJj", "YWJjZA==", "YWJj\nZA==", "YWJj\r\nZA==\n", "aGk=\n"])
      expect(base64ErrorOffset(s)).toBe(-1);
  });

  test("the byte offset Go reports", () => {
    const cases: [string, number][] = [
      ["hello world", 5], // the space
      ["aGk", 0], // a short final quantum is reported at its start
      ["YWJjZ", 4],
      ["a===", 1], // padding after one character
      ["aG=a", 2], // "=" must be followed by "="
      ["aG=", 3], // not enough padding
      ["aGk=x", 4], // trailing garbage after padding
      ["YWJj€", 4], // offsets count UTF-8 bytes
      ["€", 0],
      ["data:image/png;base64,iVBO", 4],
    ];
    for (const [s, at] of cases) expect([s, base64ErrorOffset(s)]).toEqual([s, at]);
  });

  test("checkImages throws Ollama's 400 for the first bad image", () => {
    expect(() => checkImages(["aGk=", "not base64!"])).toThrow(
      new InvalidInputError("illegal base64 data at input byte 3"),
    );
    expect(() => checkImages(undefined)).not.toThrow();
  });
});
