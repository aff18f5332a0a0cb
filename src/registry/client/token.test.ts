import { describe, expect, test } from "bun:test";
import { parseTokenAnswer, TokenCache } from "./token.ts";

describe("token answers and cache", () => {
  test("token or access_token; expires_in defaults to 60 s", () => {
    expect(parseTokenAnswer({ token: "a", expires_in: 300 })).toEqual({ token: "a", expiresInS: 300 });
    expect(parseTokenAnswer({ access_token: "b" })).toEqual({ token: "b", expiresInS: 60 });
    expect(parseTokenAnswer({ token: "", access_token: "c", expires_in: -1 })).toEqual({
      token: "c",
      expiresInS: 60,
    });
    expect(parseTokenAnswer({})).toBeUndefined();
    expect(parseTokenAnswer("token")).toBeUndefined();
    expect(parseTokenAnswer(null)).toBeUndefined();
  });

  test("values expire a little before the service says, and can be forgotten", () => {
    let now = 0;
    const cache = new TokenCache(() => now);
    cache.set("k", "Bearer x", 60);
    cache.set("basic", "Basic y", Number.POSITIVE_INFINITY);
    now = 54_000;
    expect(cache.get("k")).toBe("Bearer x");
    now = 55_000;
    expect(cache.get("k")).toBeUndefined();
    expect(cache.get("basic")).toBe("Basic y");
    cache.delete("basic");
    expect(cache.get("basic")).toBeUndefined();
    cache.set("short", "Bearer s", 5);
    now += 4_999;
    expect(cache.get("short")).toBe("Bearer s");
  });
});
