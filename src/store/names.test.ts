import { describe, expect, test } from "bun:test";
import { InvalidNameError } from "./errors.ts";
import { formatName, isValidName, nameFromSegments, parseName, shortName } from "./names.ts";

describe("model names", () => {
  test("defaults fill host, namespace and tag", () => {
    expect(parseName("llama3")).toEqual({
      host: "registry.ollama.ai",
      namespace: "library",
      model: "llama3",
      tag: "latest",
      scheme: "https",
    });
    expect(formatName(parseName("user/model:q4"))).toBe("registry.ollama.ai/user/model:q4");
    expect(parseName("http://localhost:5000/ns/m:t")).toMatchObject({
      scheme: "http",
      host: "localhost:5000",
      namespace: "ns",
      model: "m",
      tag: "t",
    });
  });

  test("shortName is what ollama list shows", () => {
    expect(shortName(parseName("llama3"))).toBe("llama3:latest");
    expect(shortName(parseName("user/model:tag"))).toBe("user/model:tag");
    expect(shortName(parseName("example.com/ns/model:tag"))).toBe("example.com/ns/model:tag");
    expect(shortName(parseName("Registry.Ollama.AI/Library/Llama3:8b"))).toBe("Llama3:8b");
  });

  test("character and length rules per part", () => {
    for (const ok of ["llama3.2:3b-instruct-q4_K_M", "_x", "a/b/c:d", "host.com:8080/ns/m", "m".repeat(80)]) {
      expect(isValidName(ok)).toBe(true);
    }
    const bad: [string, RegExp][] = [
      ["", /model is empty/],
      ["model:", /tag is empty/],
      [":tag", /model is empty/],
      ["/model", /namespace is empty/],
      ["-model", /model must start with/],
      ["mo del", /model contains invalid character " "/],
      ["ns.x/model", /namespace contains invalid character "\."/],
      ["m".repeat(81), /model is longer than 80/],
      [`${"h".repeat(256)}/ns/m`, /host is longer than 255/],
      ["a/b/c/d", /host contains invalid character "\/"/],
      ["model:t:g", /model contains invalid character ":"/],
    ];
    for (const [name, why] of bad) {
      expect(() => parseName(name)).toThrow(InvalidNameError);
      expect(() => parseName(name)).toThrow(why);
    }
    expect(() => parseName("x y")).toThrow(/^invalid model name "x y"/);
  });

  test("manifest path segments", () => {
    expect(nameFromSegments(["registry.ollama.ai", "library", "llama3", "latest"])?.model).toBe("llama3");
    expect(nameFromSegments(["h", "n", "m"])).toBeUndefined();
    expect(nameFromSegments(["h", "n", "m", ".tmp-x"])).toBeUndefined();
  });
});
