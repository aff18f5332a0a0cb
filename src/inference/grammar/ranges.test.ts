import { describe, expect, test } from "bun:test";
import { Gbnf } from "../../../test/grammar/gbnf.ts";
import { integerRange } from "./integer-range.ts";
import { type Bound, numberRange } from "./number-range.ts";

const re = (expr: string) => new Gbnf(`root ::= ${expr}`).regExp();

describe("integer ranges, digit by digit", () => {
  const bounds = [undefined, -1000, -123, -10, -5, -1, 0, 1, 3, 9, 10, 25, 99, 100, 120, 300, 1000];
  for (const lo of bounds)
    for (const hi of bounds) {
      if (lo !== undefined && hi !== undefined && lo > hi) continue;
      test(`[${lo ?? "-∞"}, ${hi ?? "∞"}]`, () => {
        const r = re(
          integerRange(lo === undefined ? undefined : BigInt(lo), hi === undefined ? undefined : BigInt(hi)),
        );
        for (let i = -1100; i <= 1100; i++)
          expect(r.test(String(i))).toBe((lo === undefined || i >= lo) && (hi === undefined || i <= hi));
        expect(r.test("-0")).toBe(false);
        expect(r.test("01")).toBe(false);
        if (hi === undefined) expect(r.test("999999999999999")).toBe(true);
        if (lo === undefined) expect(r.test("-999999999999999")).toBe(true);
      });
    }

  test("bounds beyond 15 digits (zod's safe-integer range)", () => {
    const r = re(integerRange(-9007199254740991n, 9007199254740991n));
    for (const ok of ["9007199254740991", "-9007199254740991", "9007199254740990", "0", "1234567890123456"])
      expect(r.test(ok)).toBe(true);
    for (const bad of ["9007199254740992", "-9007199254740992", "10000000000000000"])
      expect(r.test(bad)).toBe(false);
  });
});

describe("number ranges, integer and fractional digits", () => {
  const b = (x: number, strict = false): Bound => ({ x, strict });
  const cases: [Bound | undefined, Bound | undefined][] = [
    [b(0), b(1)],
    [b(0, true), b(0.5, true)],
    [b(-2.5), b(2.25)],
    [undefined, b(-1000, true)],
    [b(0.5), b(2, true)],
    [b(-1, true), undefined],
    [b(0.125), b(0.25)],
    [b(-0.3), b(-0.1, true)],
    [b(3), b(3)],
    [b(1e-3, true), b(0.01)],
    [undefined, b(0)],
    [b(0, true), undefined],
  ];
  const inside = (x: number, lo?: Bound, hi?: Bound) =>
    (!lo || (lo.strict ? x > lo.x : x >= lo.x)) && (!hi || (hi.strict ? x < hi.x : x <= hi.x));
  const show = (bd?: Bound) => (bd ? `${bd.x}${bd.strict ? " excl" : ""}` : "∞");
  for (const [lo, hi] of cases)
    test(`${show(lo)} .. ${show(hi)}`, () => {
      const r = re(numberRange(lo, hi));
      const texts = new Set<string>();
      for (let k = -4000; k <= 4000; k++) for (const d of [1, 8, 1000]) texts.add(String(k / d));
      for (const t of [
        "1.50",
        "0.000",
        "-0.0",
        "2.2500",
        "0.1250",
        "-1000.0000001",
        "-0.30",
        "3.0",
        "0.0010",
      ])
        texts.add(t);
      for (const t of texts) {
        const x = Number(t);
        // Sound: whatever matches is in range. Complete for canonical decimals (String(x)) in range.
        if (r.test(t)) expect({ t, in: inside(x, lo, hi) }).toEqual({ t, in: true });
        else if (t === String(x) && !t.includes("e") && !Object.is(x, -0))
          expect({ t, in: inside(x, lo, hi) }).toEqual({ t, in: false });
      }
    });

  test("an empty range is a RangeError", () => {
    expect(() => numberRange(b(1, true), b(1))).toThrow(RangeError);
    expect(() => numberRange(b(2), b(1))).toThrow(RangeError);
  });
});
