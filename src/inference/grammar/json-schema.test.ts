import { describe, expect, test } from "bun:test";
import { Gbnf } from "../../../test/grammar/gbnf.ts";
import { InvalidFormatError, InvalidSchemaError, UnsupportedSchemaError } from "../errors.ts";
import { formatToGrammar } from "./format.ts";
import { GrammarBuilder, schemaToGbnf } from "./json-schema.ts";

const rules = (g: string) =>
  Object.fromEntries(g.split("\n").map((l) => l.split(" ::= ") as [string, string]));
const accepts = (g: string, text: string, rule = "root") => new Gbnf(g).regExp(rule).test(text);

describe("schemaToGbnf", () => {
  test("objects list required properties in declared order, then optional ones, each optional", () => {
    const g = rules(
      schemaToGbnf({
        type: "object",
        properties: { a: { type: "string" }, b: { type: "integer" }, c: { type: "boolean" } },
        required: ["a", "c"],
      }),
    );
    expect(g.root).toBe(
      '"{" space "\\"a\\"" ":" " "? string "," space "\\"c\\"" ":" " "? boolean ("," space root-b-kv)? space "}"',
    );
    expect(g["root-b-kv"]).toBe('"\\"b\\"" ":" " "? integer');
    expect(g.string).toBeDefined();
    expect(g.value).toBeUndefined();
  });

  test("whitespace: bounded, never between a key and its colon, never after the document", () => {
    const g = schemaToGbnf({
      type: "object",
      properties: { a: { type: "array", items: { type: "null" } } },
      required: ["a"],
    });
    expect(rules(g).space).toBe('| " " | "\\n"{1,2} [ \\t]{0,20}');
    expect(accepts(g, '{"a":[null,null]}')).toBe(true);
    expect(accepts(g, '{\n  "a": [\n    null,\n    null\n  ]\n}')).toBe(true);
    expect(accepts(g, '{"a" :[]}')).toBe(false);
    expect(accepts(g, '{"a":  []}')).toBe(false);
    expect(accepts(g, '{"a":[]} ')).toBe(false);
    expect(accepts(g, `{${" ".repeat(21)}"a":[]}`)).toBe(false);
  });

  test("enum, const, unions, nullable types, arrays with bounds, $ref", () => {
    const g = rules(
      schemaToGbnf({
        type: "object",
        properties: {
          e: { enum: ["x", 1, null] },
          k: { const: { z: true } },
          n: { type: ["number", "null"] },
          o: { type: "integer", nullable: true },
          l: { type: "array", items: { $ref: "#/$defs/item" }, minItems: 1, maxItems: 3 },
        },
        required: ["e", "k", "n", "o", "l"],
        $defs: { item: { type: "string", maxLength: 4 } },
      }),
    );
    expect(g["root-e"]).toBe('"\\"x\\"" | "1" | "null"');
    expect(g["root-k"]).toBe('"{\\"z\\":true}"');
    expect(g["root-n"]).toBe("number | null");
    expect(g["root-o"]).toBe("integer | null");
    expect(g["root-l"]).toBe('"[" space ref-defs-item ("," space ref-defs-item){0,2} space "]"');
    expect(g["ref-defs-item"]).toBe('"\\"" char{0,4} "\\""');
  });

  test("all-optional objects accept any ordered subset, including none", () => {
    const g = schemaToGbnf({
      type: "object",
      properties: { a: { type: "null" }, b: { type: "null" }, c: { type: "null" } },
      additionalProperties: false,
    });
    for (const ok of [
      "{}",
      '{"a":null}',
      '{"b":null,"c":null}',
      '{"a":null,"c":null}',
      '{"a":null,"b":null,"c":null}',
    ])
      expect(accepts(g, ok)).toBe(true);
    for (const bad of ['{"b":null,"a":null}', '{,"a":null}', '{"a":null,}', '{"d":null}'])
      expect(accepts(g, bad)).toBe(false);
  });

  test("additional properties never repeat a declared key", () => {
    const g = schemaToGbnf({
      type: "object",
      properties: { and: { type: "null" } },
      additionalProperties: { type: "null" },
    });
    expect(accepts(g, '{"and":null,"an":null,"andy":null,"x":null}')).toBe(true);
    expect(accepts(g, '{"and":null,"and":null}')).toBe(false);
  });

  test("the LangChain age case: exactly 0..120, written canonically", () => {
    const g = schemaToGbnf({
      type: "object",
      properties: { age: { type: "integer", minimum: 0, maximum: 120 } },
      required: ["age"],
      additionalProperties: false,
    });
    const re = new Gbnf(g).regExp("root-age");
    for (let i = -200; i <= 1000; i++) expect(re.test(String(i))).toBe(i >= 0 && i <= 120);
    expect(re.test("-929299999999299")).toBe(false);
    expect(re.test("007")).toBe(false);
  });

  test('format "json" is any JSON object; bad formats and schemas are 400s', () => {
    const g = formatToGrammar("json") as string;
    expect(rules(g).root).toBe("object");
    expect(rules(g).object).toStartWith('"{" space');
    expect(formatToGrammar("")).toBeUndefined();
    expect(formatToGrammar(null)).toBeUndefined();
    expect(() => formatToGrammar("xml")).toThrow(InvalidFormatError);
    expect(() => formatToGrammar([1])).toThrow(InvalidFormatError);
    expect(() => schemaToGbnf({ type: "widget" })).toThrow(InvalidSchemaError);
    expect(() => schemaToGbnf({ $ref: "#/$defs/missing" })).toThrow(InvalidSchemaError);
  });

  test("annotations and x- extensions are accepted and generate nothing", () => {
    const plain = schemaToGbnf({ type: "object", properties: { a: { type: "integer" } }, required: ["a"] });
    const annotated = schemaToGbnf({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: "x",
      $comment: "c",
      title: "T",
      description: "D",
      type: "object",
      properties: {
        a: {
          type: "integer",
          default: 1,
          examples: [2],
          deprecated: true,
          readOnly: true,
          writeOnly: false,
          "x-unit": "m",
        },
      },
      required: ["a"],
    });
    expect(annotated).toBe(plain);
  });

  test("large repetition counts are built from blocks libllama accepts", () => {
    const g = schemaToGbnf({ type: "string", minLength: 1, maxLength: 1234 });
    for (const m of g.matchAll(/\{(\d+)(?:,(\d+))?\}/g))
      expect(Number(m[2] ?? m[1])).toBeLessThanOrEqual(500);
    const re = new Gbnf(g).regExp();
    for (const n of [0, 1, 499, 500, 501, 1000, 1233, 1234, 1235])
      expect(re.test(`"${"x".repeat(n)}"`)).toBe(n >= 1 && n <= 1234);
  });
});

describe("unsupported or invalid schemas are 400s that name the keyword and where", () => {
  const unsupported: [unknown, string, string][] = [
    [{ not: { type: "null" } }, "#", "not"],
    [{ type: "object", properties: { a: { if: {}, then: {} } } }, "#/properties/a", "if"],
    [{ type: "array", contains: { type: "null" } }, "#", "contains"],
    [{ type: "string", foo: 1 }, "#", "foo"],
    [{ type: "string", format: "regex" }, "#", "format"],
    [{ type: "string", pattern: "^(?=a)a$" }, "#", "pattern"],
    [{ type: "string", pattern: "^(a)\\1$" }, "#", "pattern"],
    [{ type: "string", pattern: "^\\bx$" }, "#", "pattern"],
    [{ type: "string", pattern: "^\\p{L}$" }, "#", "pattern"],
    [{ type: "string", pattern: "a^b" }, "#", "pattern"],
    [{ type: "string", pattern: "^(ab)+$", minLength: 3 }, "#", "pattern"],
    [{ type: "number", multipleOf: 0.01 }, "#", "multipleOf"],
    [{ type: "array", items: { type: "string" }, uniqueItems: true }, "#", "uniqueItems"],
    [{ oneOf: [{ type: "number" }, { type: "integer" }] }, "#", "oneOf"],
    [{ $ref: "https://example.com/s.json" }, "#", "$ref"],
    [{ allOf: [{ type: "string", pattern: "^a" }, { pattern: "b$" }] }, "#", "allOf"],
    [{ allOf: [{ type: "string" }, { type: "number" }] }, "#", "allOf"],
    [{ type: "object", properties: { a: false }, required: ["a"] }, "#", "required"],
    [
      { type: "object", properties: { xa: { type: "null" } }, patternProperties: { "^x": {} } },
      "#",
      "patternProperties",
    ],
    [
      {
        type: "object",
        properties: { a: { type: "null" } },
        additionalProperties: true,
        propertyNames: { pattern: "^a" },
      },
      "#",
      "propertyNames",
    ],
    [{ type: "object", dependencies: { a: { required: ["b"] } } }, "#", "dependencies"],
    [{ type: "object", unevaluatedProperties: { type: "null" } }, "#", "unevaluatedProperties"],
    [{ type: "string", contentEncoding: "base32" }, "#", "contentEncoding"],
    [{ type: "integer", minimum: 5, maximum: 4 }, "#", "minimum"],
    [{ type: "number", exclusiveMinimum: 1, exclusiveMaximum: 1 }, "#", "minimum"],
    [{ type: "string", minLength: 3, maxLength: 2 }, "#", "minLength"],
    [{ enum: ["a"], type: "integer" }, "#", "enum"],
    [{ type: "object", required: ["a"], additionalProperties: false }, "#", "required"],
  ];
  for (const [schema, path, keyword] of unsupported)
    test(`${keyword}: ${JSON.stringify(schema)}`, () => {
      let err: unknown;
      try {
        schemaToGbnf(schema as Record<string, unknown>);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UnsupportedSchemaError);
      expect((err as UnsupportedSchemaError).status).toBe(400);
      expect((err as UnsupportedSchemaError).keyword).toBe(keyword);
      expect((err as UnsupportedSchemaError).path).toBe(path);
      expect((err as Error).message).toContain(JSON.stringify(keyword));
    });

  const invalid: unknown[] = [
    { type: 123 },
    { type: "string", pattern: "^(a$" },
    { type: "string", pattern: "[z-a]" },
    { type: "string", maxLength: -1 },
    { type: "integer", minimum: "3" },
    { anyOf: [] },
    { type: "object", properties: [] },
    { type: "array", prefixItems: { type: "string" } },
    { $ref: "#/$defs/missing" },
  ];
  for (const schema of invalid)
    test(`invalid: ${JSON.stringify(schema)}`, () => {
      expect(() => schemaToGbnf(schema as Record<string, unknown>)).toThrow(InvalidSchemaError);
    });
});

describe("GrammarBuilder", () => {
  test("several schemas and raw rules share one grammar; each schema's $refs resolve in its own document", () => {
    const b = new GrammarBuilder();
    const one = b.schema(
      { $ref: "#/$defs/x", $defs: { x: { type: "integer", minimum: 1, maximum: 3 } } },
      "tool-one",
    );
    const two = b.schema({ $ref: "#/$defs/x", $defs: { x: { enum: ["a"] } } }, "tool-two");
    expect(one).not.toBe(two);
    const call = b.rule("call", `"{" space "\\"args\\"" ":" " "? (${one} | ${two}) space "}"`, ["space"]);
    const g = b.grammar(call);
    expect(accepts(g, '{"args":2}')).toBe(true);
    expect(accepts(g, '{"args":"a"}')).toBe(true);
    expect(accepts(g, '{"args":4}')).toBe(false);
  });

  test("schema(x, 'root') makes the root rule; grammar() keeps it", () => {
    const b = new GrammarBuilder();
    expect(b.schema({ type: "boolean" }, "root")).toBe("root");
    expect(rules(b.grammar()).root).toBe("boolean");
  });
});
