import { describe, expect, test } from "bun:test";
import { goFloat, goJson, goMap, printValue, truth, withJson } from "./values.ts";

describe("Go value semantics", () => {
  test("floats print like fmt's %v", () => {
    expect(goFloat(0.7)).toBe("0.7");
    expect(goFloat(3)).toBe("3");
    expect(goFloat(0.00001)).toBe("1e-05");
    expect(goFloat(0.0001)).toBe("0.0001");
    expect(goFloat(1234567.5)).toBe("1.2345675e+06");
    expect(goFloat(Number.NaN)).toBe("NaN");
  });

  test("json escapes HTML characters, sorts maps and keeps struct order", () => {
    expect(goJson({ b: 1, a: "<&>" })).toBe('{"b":1,"a":"\\u003c\\u0026\\u003e"}');
    expect(goJson(goMap({ b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
    expect(goJson(withJson({ Name: "x" }, { name: "x" }))).toBe('{"name":"x"}');
  });

  test("truth and printing", () => {
    expect([0, "", null, undefined, [], goMap({}), false].map(truth)).toEqual(Array(7).fill(false));
    expect([1, "a", [0], {}, goMap({ a: 1 })].map(truth)).toEqual(Array(5).fill(true));
    expect(printValue([1, "a", true])).toBe("[1 a true]");
    expect(printValue(goMap({ b: 2, a: 1 }))).toBe("map[a:1 b:2]");
    expect(printValue(undefined)).toBe("<no value>");
  });
});
