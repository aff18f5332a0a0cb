import { describe, expect, test } from "bun:test";
import { t } from "elysia";
import { decodeLenient } from "./decode.ts";

const Message = t.Object({
  role: t.String(),
  content: t.Optional(t.String()),
  images: t.Optional(t.Array(t.String())),
});
const Request = t.Object({
  model: t.Optional(t.String()),
  messages: t.Optional(t.Array(Message)),
  options: t.Optional(t.Record(t.String(), t.Unknown())),
  files: t.Optional(t.Record(t.String(), t.String())),
  format: t.Optional(t.Unknown()),
  keep_alive: t.Optional(t.Union([t.String(), t.Number()])),
  license: t.Optional(t.Union([t.String(), t.Array(t.String())])),
  context: t.Optional(t.Array(t.Integer())),
});

describe("decodeLenient (Go's encoding/json into a struct)", () => {
  test("unknown fields are dropped at every depth", () => {
    expect(
      decodeLenient(Request, {
        model: "m",
        max_output_tokens: 5,
        messages: [{ role: "user", content: "hi", type: "text", extra: { a: 1 } }],
      }),
    ).toEqual({ model: "m", messages: [{ role: "user", content: "hi" }] });
  });

  test("null means not set for typed fields, and stays a value where the schema takes any JSON", () => {
    expect(
      decodeLenient(Request, {
        model: null,
        options: null,
        keep_alive: null,
        messages: [{ role: "user", content: null, images: null }],
        format: null,
      }),
    ).toEqual({ messages: [{ role: "user" }], format: null });
    expect(decodeLenient(Request, { options: { temperature: null, stop: ["a", null] } })).toEqual({
      options: { temperature: null, stop: ["a", null] },
    });
  });

  test("null elements of typed arrays and maps are the element's zero value", () => {
    expect(
      decodeLenient(Request, {
        context: [1, null, 3],
        files: { "a.gguf": null },
        license: ["MIT", null],
        messages: [null],
      }),
    ).toEqual({ context: [1, 0, 3], files: { "a.gguf": "" }, license: ["MIT", ""], messages: [{}] });
  });

  test("a body of null is an empty request, as Go decodes it", () => {
    expect(decodeLenient(Request, null)).toEqual({});
  });

  test("keys match case-insensitively when no exact field exists; the last one wins", () => {
    expect(decodeLenient(Request, { Model: "a", MESSAGES: [{ Role: "user" }] })).toEqual({
      model: "a",
      messages: [{ role: "user" }],
    });
    expect(decodeLenient(Request, { model: "a", Model: "b" })).toEqual({ model: "b" });
  });

  test("wrong types are left for validation to name", () => {
    expect(decodeLenient(Request, { model: 7, messages: "hi", context: [1.5] })).toEqual({
      model: 7,
      messages: "hi",
      context: [1.5],
    });
  });

  test("a union decodes with the member the value fits", () => {
    const Part = t.Union([
      t.Object({ type: t.Literal("text"), text: t.String() }),
      t.Object({ type: t.Literal("image_url"), image_url: t.Object({ url: t.String() }) }),
    ]);
    expect(
      decodeLenient(t.Array(Part), [
        { type: "image_url", image_url: { url: "u", detail: "low" }, cache: 1 },
        { type: "text", text: "x", extra: true },
      ]),
    ).toEqual([
      { type: "image_url", image_url: { url: "u" } },
      { type: "text", text: "x" },
    ]);
  });

  test("objects that declare extra keys keep them", () => {
    const Open = t.Object({ a: t.Optional(t.String()) }, { additionalProperties: true });
    expect(decodeLenient(Open, { a: "x", b: 1 })).toEqual({ a: "x", b: 1 });
  });
});
