import { describe, expect, test } from "bun:test";
import { InvalidFormatError, UnsupportedSchemaError } from "../errors.ts";
import { formatToGrammar } from "./format.ts";
import { schemaToGbnf } from "./json-schema.ts";

const rules = (g: string) =>
  Object.fromEntries(g.split("\n").map((l) => l.split(" ::= ") as [string, string]));

describe("schemaToGbnf", () => {
  test("objects list required properties in order, optional ones after, each optional", () => {
    const g = rules(
      schemaToGbnf({
        type: "object",
        properties: { a: { type: "string" }, b: { type: "integer" }, c: { type: "boolean" } },
        required: ["a", "c"],
      }),
    );
    expect(g.root).toBe(
      '"{" space "\\"a\\"" space ":" space root-a "," space "\\"c\\"" space ":" space root-c ("," space "\\"b\\"" space ":" space root-b)? "}" space',
    );
    expect(g["root-a"]).toBe("string");
    expect(g.string).toBeDefined();
    expect(g.integer).toBeDefined();
    expect(g.value).toBeUndefined();
  });

  test("enum, const, unions, nullable types, arrays with bounds, $ref", () => {
    const g = rules(
      schemaToGbnf({
        type: "object",
        properties: {
          e: { enum: ["x", 1, null] },
          k: { const: { z: true } },
          n: { type: ["number", "null"] },
          l: { type: "array", items: { $ref: "#/$defs/item" }, minItems: 1, maxItems: 3 },
        },
        required: ["e", "k", "n", "l"],
        $defs: { item: { type: "string", maxLength: 4 } },
      }),
    );
    expect(g["root-e"]).toBe('("\\"x\\"" space | "1" space | "null" space)');
    expect(g["root-k"]).toBe('"{\\"z\\":true}" space');
    expect(g["root-n"]).toBe("(number | null)");
    expect(g["root-l"]).toBe('"[" space root-l-item ("," space root-l-item){0,2} "]" space');
    expect(g["root-l-item"]).toBe("ref-item");
    expect(g["ref-item"]).toBe('"\\"" char{0,4} "\\"" space');
  });

  test("all-optional objects accept any ordered subset, including none", () => {
    const g = rules(
      schemaToGbnf({ type: "object", properties: { a: { type: "null" }, b: { type: "null" } } }),
    );
    expect(g.root).toContain("(");
    expect(g.root).toContain(")?");
  });

  test("format: json gives any value; bad formats and schemas are 400s", () => {
    expect(rules(formatToGrammar("json") as string).root).toBe("value");
    expect(formatToGrammar("")).toBeUndefined();
    expect(formatToGrammar(null)).toBeUndefined();
    expect(() => formatToGrammar("xml")).toThrow(InvalidFormatError);
    expect(() => formatToGrammar([1])).toThrow(InvalidFormatError);
    expect(() => schemaToGbnf({ type: "widget" })).toThrow(UnsupportedSchemaError);
    expect(() => schemaToGbnf({ $ref: "#/$defs/missing" })).toThrow(UnsupportedSchemaError);
  });
});
