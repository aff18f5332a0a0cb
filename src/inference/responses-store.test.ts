import { describe, expect, test } from "bun:test";
import { ResponsesStore, type StoredResponse } from "./responses-store.ts";

const entry = (text: string): StoredResponse => ({
  conversation: [{ role: "user", content: text }],
  response: { id: text },
});

describe("ResponsesStore", () => {
  test("keeps, returns and deletes responses", () => {
    const s = new ResponsesStore();
    s.put("a", entry("hello"));
    expect(s.get("a")?.conversation[0]?.content).toBe("hello");
    expect(s.delete("a")).toBe(true);
    expect(s.delete("a")).toBe(false);
    expect(s.get("a")).toBeUndefined();
  });

  test("drops the least recently used beyond maxEntries", () => {
    const s = new ResponsesStore({ maxEntries: 2 });
    s.put("a", entry("a"));
    s.put("b", entry("b"));
    s.get("a");
    s.put("c", entry("c"));
    expect(s.get("b")).toBeUndefined();
    expect(s.get("a")).toBeDefined();
    expect(s.get("c")).toBeDefined();
    expect(s.size).toBe(2);
  });

  test("stays under maxBytes and refuses a conversation larger than the budget", () => {
    const size =
      JSON.stringify(entry("x".repeat(100)).conversation).length +
      JSON.stringify({ id: "x".repeat(100) }).length;
    const s = new ResponsesStore({ maxBytes: size * 2 + 10 });
    s.put("a", entry("x".repeat(100)));
    s.put("b", entry("y".repeat(100)));
    s.put("c", entry("z".repeat(100)));
    expect(s.size).toBe(2);
    expect(s.get("a")).toBeUndefined();
    s.put("huge", entry("h".repeat(10_000)));
    expect(s.get("huge")).toBeUndefined();
    expect(s.size).toBe(2);
  });

  test("forgets responses older than the TTL", () => {
    let now = 1000;
    const s = new ResponsesStore({ ttlMs: 50, clock: () => now });
    s.put("a", entry("a"));
    now += 49;
    expect(s.get("a")).toBeDefined();
    now += 1;
    expect(s.get("a")).toBeUndefined();
    expect(s.size).toBe(0);
  });

  test("storing under an existing id replaces it", () => {
    const s = new ResponsesStore();
    s.put("a", entry("one"));
    s.put("a", entry("two"));
    expect(s.size).toBe(1);
    expect(s.get("a")?.conversation[0]?.content).toBe("two");
  });
});
