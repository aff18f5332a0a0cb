/**
 * Schemas for conformance tests: the valid, supported schemas of llama.cpp's
 * tests/test-json-schema-to-grammar.cpp (the schemas only, not its expected grammars), the LangChain /
 * zod case that prompted this work, and cases of our own for every keyword the converter enforces.
 *
 * `model: false` marks schemas whose language is unbounded by nature (any JSON value, an unanchored
 * pattern): fine for grammar sampling, but a random-weight model would never finish a document.
 */
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import { z } from "zod";

/** One conformance case. */
export interface SchemaCase {
  name: string;
  schema: Record<string, unknown>;
  /** Which ajv dialect validates it (draft-07 for `items: [...]` tuples and `definitions`). */
  draft?: "07" | "2020";
  /** False when a random model cannot be expected to finish a document. */
  model?: boolean;
}

const str = { type: "string" };
const int = { type: "integer" };
const num = { type: "number" };

/** llama.cpp's cases (tests/test-json-schema-to-grammar.cpp) that are valid schemas we support. */
const LLAMA_CPP: SchemaCase[] = [
  { name: "min 0", schema: { type: "integer", minimum: 0 } },
  { name: "min 3", schema: { type: "integer", minimum: 3 } },
  { name: "min 25", schema: { type: "integer", minimum: 25 } },
  { name: "max 30", schema: { type: "integer", maximum: 30 } },
  { name: "min -123", schema: { type: "integer", minimum: -123 } },
  { name: "max -5", schema: { type: "integer", maximum: -5 } },
  { name: "max 100", schema: { type: "integer", maximum: 100 } },
  { name: "min 0 max 23", schema: { type: "integer", minimum: 0, maximum: 23 } },
  { name: "min 15 max 300", schema: { type: "integer", minimum: 15, maximum: 300 } },
  { name: "min -123 max 42", schema: { type: "integer", minimum: -123, maximum: 42 } },
  { name: "min -10 max 10", schema: { type: "integer", minimum: -10, maximum: 10 } },
  {
    name: "exotic formats",
    draft: "07",
    schema: { items: [{ format: "date" }, { format: "uuid" }, { format: "time" }, { format: "date-time" }] },
  },
  { name: "string", schema: str },
  { name: "string w/ min length 1", schema: { type: "string", minLength: 1 } },
  { name: "string w/ max length", schema: { type: "string", maxLength: 3 } },
  { name: "string w/ min & max length", schema: { type: "string", minLength: 1, maxLength: 4 } },
  { name: "boolean", schema: { type: "boolean" } },
  { name: "integer", schema: int },
  { name: "string const", schema: { const: "foo" } },
  { name: "non-string const", schema: { const: 123 } },
  { name: "non-string enum", schema: { enum: ["red", "amber", "green", null, 42, ["foo"]] } },
  { name: "tuple1", schema: { prefixItems: [str] } },
  { name: "tuple2", schema: { prefixItems: [str, num] } },
  { name: "array with empty items", schema: { type: "array", items: {} }, model: false },
  { name: "number", schema: num },
  { name: "minItems", schema: { items: { type: "boolean" }, minItems: 2 } },
  { name: "maxItems 0", schema: { items: { type: "boolean" }, maxItems: 0 } },
  { name: "maxItems 2", schema: { items: { type: "boolean" }, maxItems: 2 } },
  { name: "min + maxItems", schema: { items: { type: ["number", "integer"] }, minItems: 3, maxItems: 5 } },
  {
    name: "min + max items with min + max values across zero",
    schema: { items: { type: "integer", minimum: -12, maximum: 207 }, minItems: 3, maxItems: 5 },
  },
  { name: "simple regexp", schema: { type: "string", pattern: "^abc?d*efg+(hij)?kl$" } },
  { name: "regexp escapes", schema: { type: "string", pattern: "^\\[\\]\\{\\}\\(\\)\\|\\+\\*\\?$" } },
  { name: "regexp quote", schema: { type: "string", pattern: '^"$' } },
  {
    name: "regexp with top-level alternation",
    schema: { type: "string", pattern: "^A|B|C|D$" },
    model: false,
  },
  {
    name: "regexp",
    schema: { type: "string", pattern: "^(\\([0-9]{1,3}\\))?[0-9]{3}-[0-9]{4} a{3,5}nd...$" },
  },
  {
    name: "required props in original order",
    schema: {
      type: "object",
      properties: { b: str, c: str, a: str },
      required: ["a", "b", "c"],
      additionalProperties: false,
      definitions: {},
    },
  },
  { name: "1 optional prop", schema: { properties: { a: str }, additionalProperties: false } },
  {
    name: "N optional props",
    schema: { properties: { a: str, b: str, c: str }, additionalProperties: false },
  },
  {
    name: "required + optional props each in original order",
    schema: {
      properties: { b: str, a: str, d: str, c: str },
      required: ["a", "b"],
      additionalProperties: false,
    },
  },
  {
    name: "additional props",
    schema: { type: "object", additionalProperties: { type: "array", items: num } },
  },
  { name: "additional props (true)", schema: { type: "object", additionalProperties: true }, model: false },
  { name: "additional props (implicit)", schema: { type: "object" }, model: false },
  { name: "empty w/o additional props", schema: { type: "object", additionalProperties: false } },
  {
    name: "required + additional props",
    schema: { type: "object", properties: { a: num }, required: ["a"], additionalProperties: str },
  },
  {
    name: "optional + additional props",
    schema: { type: "object", properties: { a: num }, additionalProperties: num },
  },
  {
    name: "required + optional + additional props",
    schema: {
      type: "object",
      properties: { and: num, also: num },
      required: ["and"],
      additionalProperties: num,
    },
  },
  {
    name: "optional props with empty name",
    schema: { properties: { "": int, a: int }, additionalProperties: int },
  },
  {
    name: "optional props with nested names",
    schema: { properties: { a: int, aa: int }, additionalProperties: int },
  },
  {
    name: "optional props with common prefix",
    schema: { properties: { ab: int, ac: int }, additionalProperties: int },
  },
  {
    name: "top-level $ref",
    draft: "07",
    schema: {
      $ref: "#/definitions/foo",
      definitions: {
        foo: { type: "object", properties: { a: str }, required: ["a"], additionalProperties: false },
      },
    },
  },
  {
    name: "anyOf",
    draft: "07",
    schema: {
      anyOf: [{ $ref: "#/definitions/foo" }, { $ref: "#/definitions/bar" }],
      definitions: { foo: { properties: { a: num } }, bar: { properties: { b: num } } },
      type: "object",
    },
  },
  {
    name: "anyOf $ref",
    schema: {
      properties: {
        a: { anyOf: [str, num] },
        b: { anyOf: [{ $ref: "#/properties/a/anyOf/0" }, { type: "boolean" }] },
      },
      type: "object",
    },
  },
  {
    name: "mix of allOf, anyOf and $ref (similar to https://json.schemastore.org/tsconfig.json)",
    draft: "07",
    schema: {
      allOf: [
        { $ref: "#/definitions/foo" },
        { $ref: "#/definitions/bar" },
        { anyOf: [{ $ref: "#/definitions/baz" }, { $ref: "#/definitions/bam" }] },
      ],
      definitions: {
        foo: { properties: { a: num } },
        bar: { properties: { b: num } },
        bam: { properties: { c: num } },
        baz: { properties: { d: num } },
      },
      type: "object",
    },
  },
  {
    name: "allOf with enum schema",
    draft: "07",
    schema: {
      allOf: [{ $ref: "#/definitions/foo" }],
      definitions: { foo: { type: "string", enum: ["a", "b"] } },
    },
  },
  {
    name: "allOf with multiple enum schemas",
    draft: "07",
    schema: {
      allOf: [{ $ref: "#/definitions/foo" }, { $ref: "#/definitions/bar" }],
      definitions: {
        foo: { type: "string", enum: ["a", "b", "c"] },
        bar: { type: "string", enum: ["b", "c", "d"] },
      },
    },
  },
  {
    name: "conflicting names",
    schema: {
      type: "object",
      properties: {
        number: {
          type: "object",
          properties: {
            number: {
              type: "object",
              properties: { root: num },
              required: ["root"],
              additionalProperties: false,
            },
          },
          required: ["number"],
          additionalProperties: false,
        },
      },
      required: ["number"],
      additionalProperties: false,
    },
  },
  {
    name: "description only (no type) treated as unconstrained",
    schema: { description: "The 0-based index of the last line to be retrieved (inclusive)." },
    model: false,
  },
  {
    name: "literal string with escapes",
    schema: {
      properties: {
        code: { const: ' \r \n " \\ ', description: "Generated code", title: "Code", type: "string" },
      },
      required: ["code"],
      title: "DecoderResponse",
      type: "object",
    },
  },
  { name: "regexp with non-capturing group", schema: { type: "string", pattern: "^(?:foo|bar)baz$" } },
  {
    name: "regexp with nested non-capturing groups",
    schema: { type: "string", pattern: "^(?:(?:ab)+c)?d$" },
  },
  { name: "unanchored regexp", schema: { type: "string", pattern: "[0-9]+" }, model: false },
  { name: "regexp with unsupported shorthand", schema: { type: "string", pattern: "^[0-9]{3}\\w$" } },
  {
    name: "regexp with escaped hyphen in a character class",
    schema: { type: "string", pattern: "^[a-z\\-]+$" },
  },
];

/** What LangChain's withStructuredOutput sends for a zod schema (the reported age case, and more). */
const LANGCHAIN: SchemaCase[] = [
  {
    name: "LangChain zod: name and age 0..120",
    schema: toJsonSchema(
      z.object({ name: z.string().max(24), age: z.number().int().min(0).max(120) }),
    ) as never,
  },
  {
    name: "LangChain zod: formats, enum, nullable, arrays, safe integers",
    schema: toJsonSchema(
      z.object({
        id: z.string().uuid(),
        when: z.string().datetime(),
        day: z.string().date(),
        kind: z.enum(["cat", "dog"]),
        nick: z.string().max(8).nullable(),
        tags: z.array(z.string().max(5)).min(1).max(3),
        count: z.number().int(),
        ratio: z.number().positive().max(1),
        note: z.string().max(6).optional(),
      }),
    ) as never,
  },
];

const node = {
  type: "object",
  properties: { v: { type: "integer", minimum: 0, maximum: 9 }, next: { $ref: "#/$defs/node" } },
  required: ["v"],
  additionalProperties: false,
};

/** Our own cases, one or more per enforced keyword. */
const OURS: SchemaCase[] = [
  {
    name: "nested objects",
    schema: {
      type: "object",
      properties: {
        user: {
          type: "object",
          properties: {
            id: { type: "integer", minimum: 1, maximum: 99999 },
            address: {
              type: "object",
              properties: {
                zip: { type: "string", pattern: "^[0-9]{5}$" },
                country: { enum: ["FR", "DE", "US"] },
              },
              required: ["zip", "country"],
            },
          },
          required: ["id", "address"],
        },
        active: { type: "boolean" },
      },
      required: ["user", "active"],
    },
  },
  {
    name: "array of objects",
    schema: {
      type: "array",
      items: {
        type: "object",
        properties: {
          sku: { type: "string", pattern: "^[A-Z]{3}-\\d{3}$" },
          qty: { type: "integer", minimum: 1, maximum: 9 },
        },
        required: ["sku", "qty"],
        additionalProperties: false,
      },
      minItems: 1,
      maxItems: 3,
    },
  },
  {
    name: "string formats",
    schema: {
      type: "object",
      properties: Object.fromEntries(
        ["date", "time", "date-time", "uuid", "email", "hostname", "ipv4", "ipv6", "uri", "duration"].map(
          (f) => [f, { type: "string", format: f }],
        ),
      ),
      required: ["date", "time", "date-time", "uuid", "email", "hostname", "ipv4", "ipv6", "uri", "duration"],
    },
  },
  { name: "base64 (OpenAPI byte)", schema: { type: "string", format: "byte" }, model: false },
  { name: "base64 (contentEncoding)", schema: { type: "string", contentEncoding: "base64" }, model: false },
  { name: "number in [0, 1]", schema: { type: "number", minimum: 0, maximum: 1 } },
  { name: "number in (0, 0.5)", schema: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 0.5 } },
  { name: "number in [-2.5, 2.25]", schema: { type: "number", minimum: -2.5, maximum: 2.25 } },
  { name: "number below -1e3", schema: { type: "number", exclusiveMaximum: -1000 } },
  {
    name: "integer exclusive bounds",
    schema: { type: "integer", exclusiveMinimum: -3, exclusiveMaximum: 3 },
  },
  { name: "integer int32", schema: { type: "integer", format: "int32" } },
  { name: "multipleOf 1", schema: { type: "number", multipleOf: 1, maximum: 50 } },
  {
    name: "pattern with lengths",
    schema: { type: "string", pattern: "^[a-z]+$", minLength: 3, maxLength: 8 },
  },
  {
    name: "pattern with classes and escapes",
    schema: { type: "string", pattern: "^\\d{2}[-/.]\\d{2} \\w\\s[^a-z]\\t$" },
  },
  {
    name: "OpenAPI nullable",
    draft: "07",
    schema: {
      type: "object",
      properties: { n: { type: "integer", maximum: 5, nullable: true } },
      required: ["n"],
    },
  },
  { name: "type list with null", schema: { type: ["string", "null"], maxLength: 4 } },
  {
    name: "uniqueItems over an enum",
    schema: { type: "array", items: { enum: ["r", "g", "b"] }, uniqueItems: true, minItems: 2 },
  },
  {
    name: "prefixItems then items",
    schema: {
      type: "array",
      prefixItems: [{ const: "v1" }, { type: "boolean" }],
      items: { type: "integer", maximum: 9, minimum: 0 },
      maxItems: 4,
    },
  },
  {
    name: "draft-07 tuple with additionalItems",
    draft: "07",
    schema: { type: "array", items: [{ type: "null" }], additionalItems: { type: "boolean" }, maxItems: 3 },
  },
  {
    name: "map with min/maxProperties",
    schema: {
      type: "object",
      additionalProperties: { type: "integer", minimum: 0, maximum: 9 },
      propertyNames: { maxLength: 4 },
      minProperties: 1,
      maxProperties: 3,
    },
  },
  {
    name: "minProperties and maxProperties over declared properties",
    schema: {
      type: "object",
      properties: { a: { type: "boolean" }, b: { type: "boolean" }, c: { type: "boolean" } },
      minProperties: 1,
      maxProperties: 2,
      additionalProperties: false,
    },
  },
  {
    name: "dependentRequired",
    schema: {
      type: "object",
      properties: { card: { type: "boolean" }, cvv: { type: "string", pattern: "^\\d{3}$" } },
      dependentRequired: { card: ["cvv"] },
      additionalProperties: false,
    },
  },
  {
    name: "patternProperties",
    schema: {
      type: "object",
      patternProperties: { "^x-[a-z]{1,4}$": { type: "integer", maximum: 9, minimum: 0 } },
      additionalProperties: false,
      maxProperties: 3,
    },
  },
  {
    name: "oneOf with a discriminator (Pydantic)",
    schema: {
      $defs: {
        Cat: {
          type: "object",
          properties: {
            pet: { const: "cat", type: "string" },
            lives: { type: "integer", minimum: 1, maximum: 9 },
          },
          required: ["pet", "lives"],
        },
        Dog: {
          type: "object",
          properties: { pet: { const: "dog", type: "string" }, good: { type: "boolean" } },
          required: ["pet", "good"],
        },
      },
      type: "object",
      properties: {
        animal: {
          oneOf: [{ $ref: "#/$defs/Cat" }, { $ref: "#/$defs/Dog" }],
          discriminator: { propertyName: "pet" },
        },
      },
      required: ["animal"],
    },
  },
  {
    name: "allOf inheritance with $ref siblings",
    schema: {
      $defs: {
        Base: {
          type: "object",
          properties: { id: { type: "integer", minimum: 0, maximum: 99 } },
          required: ["id"],
        },
        Tag: { enum: ["a", "b"] },
      },
      allOf: [
        { $ref: "#/$defs/Base" },
        { properties: { tag: { $ref: "#/$defs/Tag", description: "a tag" } }, required: ["tag"] },
      ],
    },
  },
  {
    name: "allOf of numbers",
    schema: {
      allOf: [{ type: "number", minimum: 0 }, { type: "integer", maximum: 20 }, { exclusiveMaximum: 15 }],
    },
  },
  { name: "recursive $ref (linked list)", schema: { $ref: "#/$defs/node", $defs: { node } } },
  {
    name: "enum filtered by type",
    schema: { type: "string", enum: ["a", 1, "b", null] },
  },
  {
    name: "annotations everywhere",
    schema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: "https://example.com/x",
      title: "T",
      description: "D",
      type: "object",
      properties: {
        x: {
          type: "integer",
          default: 3,
          examples: [1],
          deprecated: true,
          readOnly: true,
          maximum: 9,
          minimum: 0,
          "x-unit": "cm",
        },
      },
      required: ["x"],
    },
  },
];

/** Every conformance case. */
export const SCHEMA_CASES: SchemaCase[] = [
  ...LLAMA_CPP.map((c) => ({ ...c, name: `llama.cpp: ${c.name}` })),
  ...LANGCHAIN,
  ...OURS,
];
