import { describe, expect, test } from "bun:test";
import { jsonTooDeep } from "./json-depth.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const deep = (n: number) => "[".repeat(n) + "]".repeat(n);

describe("jsonTooDeep", () => {
  test("counts arrays and objects together, up to the limit inclusive", () => {
    expect(jsonTooDeep(bytes(deep(3)), 3)).toBe(false);
    expect(jsonTooDeep(bytes(deep(4)), 3)).toBe(true);
    expect(jsonTooDeep(bytes('{"a":[{"b":[]}]}'), 4)).toBe(false);
    expect(jsonTooDeep(bytes('{"a":[{"b":[]}]}'), 3)).toBe(true);
  });

  test("siblings do not add up", () => {
    expect(jsonTooDeep(bytes(`[${Array(1000).fill("[[]]").join(",")}]`), 3)).toBe(false);
  });

  test("brackets inside strings are not nesting", () => {
    expect(jsonTooDeep(bytes(JSON.stringify({ a: "[[[[{{{{" })), 1)).toBe(false);
    expect(jsonTooDeep(bytes(JSON.stringify(["]]]]", "[[[["])), 1)).toBe(false);
  });

  test("escaped quotes do not end a string; escaped backslashes before a quote do", () => {
    // "a\"[[[" is one string: the brackets are inside it.
    expect(jsonTooDeep(bytes(JSON.stringify({ a: 'x"[[[[' })), 1)).toBe(false);
    // "a\\" ends after the escaped backslash: the brackets after it are structure.
    expect(jsonTooDeep(bytes(`[${JSON.stringify("a\\")},[[[]]]]`), 3)).toBe(true);
    expect(jsonTooDeep(bytes(`[${JSON.stringify("a\\\\\\")},[]]`), 2)).toBe(false);
    expect(jsonTooDeep(bytes(`[${JSON.stringify('\\\\\\"[[[[')}]`), 1)).toBe(false);
  });

  test("multi-byte UTF-8 text and \\u escapes are skipped like any string", () => {
    expect(jsonTooDeep(bytes(JSON.stringify({ "é[": "日本[[[", q: "\u005b\u005b" })), 1)).toBe(false);
    expect(jsonTooDeep(bytes('["\\u005b\\u0022[[["]'), 1)).toBe(false);
  });

  test("an unterminated string ends the scan (JSON.parse reports it)", () => {
    expect(jsonTooDeep(bytes('["abc[[[[[['), 1)).toBe(false);
  });

  test("100k levels are refused without recursion", () => {
    expect(jsonTooDeep(bytes(deep(100_000)), 64)).toBe(true);
    expect(jsonTooDeep(bytes('{"a":'.repeat(100_000)), 64)).toBe(true);
  });
});
