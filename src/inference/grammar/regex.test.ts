import { describe, expect, test } from "bun:test";
import { Gbnf } from "../../../test/grammar/gbnf.ts";
import { schemaToGbnf } from "./json-schema.ts";

/** Whether the grammar for `schema` accepts `text` written as a JSON string. */
const grammarFor = (schema: Record<string, unknown>) => {
  const r = new Gbnf(schemaToGbnf(schema)).regExp();
  return (text: string) => r.test(JSON.stringify(text));
};

describe("pattern: the grammar's strings are exactly the regex's (for text a JSON string holds unescaped)", () => {
  const cases: [string, string[]][] = [
    ["^abc?d*efg+(hij)?kl$", ["abefgkl", "abcddefgggkl", "abcdefghijkl", "abefkl", "abcefgkl!", "xabefgkl"]],
    ["^\\[\\]\\{\\}\\(\\)\\|\\+\\*\\?$", ["[]{}()|+*?", "[]{}()|+*"]],
    ['^"$', ['"', "'", '""']],
    ["^A|B|C|D$", ["A", "Axyz", "xBx", "C", "xD", "xA", "Dx", ""]],
    [
      "^(\\([0-9]{1,3}\\))?[0-9]{3}-[0-9]{4} a{3,5}nd...$",
      ["(12)345-6789 aaand!!!", "345-6789 aaaaand...", "345-6789 aand...", "(1234)345-6789 aaand..."],
    ],
    ["^(?:foo|bar)baz$", ["foobaz", "barbaz", "baz", "foobarbaz"]],
    ["^(?:(?:ab)+c)?d$", ["d", "abcd", "ababcd", "acd", "abd"]],
    ["[0-9]+", ["1", "a1b", "abc", "", "12x"]],
    ["^[0-9]{3}\\w$", ["123a", "123_", "123-", "12ab"]],
    ["^[a-z\\-]+$", ["a-b", "-", "A", ""]],
    ["^\\d{2}[-/.]\\d{2} \\w\\s[^a-z]\\t$", ["12-34 a B\t", "12/34 _ X\t", "12.34 a b\t", "12x34 a B\t"]],
    ["^[^\\s]+$", ["abc", "a c", "é中😀"]],
    ["^.{2}$", ["ab", "é中", "a", "abc"]],
    ["^\\x41\\u0042\\u{43}$", ["ABC", "abc"]],
    ["^(?<y>\\d{4})-(?<m>\\d\\d)$", ["2024-05", "24-05"]],
    ["^a+?b{2,}?$", ["abb", "aabbb", "ab"]],
    ["^[\\]\\\\]$", ["]", "\\", "a"]],
    ["^(a|)b$", ["ab", "b", "aab"]],
    ["^$", ["", "a"]],
    ["ab$", ["ab", "xab", "abx"]],
  ];
  for (const [pattern, inputs] of cases)
    test(pattern, () => {
      const accepts = grammarFor({ type: "string", pattern });
      const js = new RegExp(pattern, "u");
      for (const s of inputs) expect({ s, ok: accepts(s) }).toEqual({ s, ok: js.test(s) });
    });

  test("a pattern's escaped characters are written as JSON escapes", () => {
    const accepts = grammarFor({ type: "string", pattern: '^a\\nb"c\\\\$' });
    expect(accepts('a\nb"c\\')).toBe(true);
  });
});

describe("pattern with minLength/maxLength: a subset of the pattern within the lengths", () => {
  const cases: [Record<string, unknown>, string[], string[]][] = [
    [{ pattern: "^[a-z]+$", minLength: 3, maxLength: 8 }, ["abc", "abcdefgh"], ["ab", "abcdefghi"]],
    [{ pattern: "^abc?d*efg+(hij)?kl$", maxLength: 12 }, ["abefgkl", "abcdefghijkl"], ["abcddddefggkl"]],
    [{ pattern: "^(ab)+$", maxLength: 5 }, ["ab", "abab"], ["ababab"]],
    [{ pattern: "[0-9]", maxLength: 3 }, ["1", "a1b", "a1"], ["ab1c", "ab1"]],
    [{ pattern: "^x\\d*$", minLength: 4 }, ["x123", "x12345"], ["x12"]],
  ];
  for (const [s, yes, no] of cases)
    test(JSON.stringify(s), () => {
      const accepts = grammarFor({ type: "string", ...s });
      for (const t of yes) expect({ t, ok: accepts(t) }).toEqual({ t, ok: true });
      for (const t of no) expect({ t, ok: accepts(t) }).toEqual({ t, ok: false });
    });
});
