import { describe, expect, test } from "bun:test";
import { OriginPolicy } from "./origins.ts";

describe("OriginPolicy", () => {
  test("Ollama's defaults", () => {
    const p = new OriginPolicy([]);
    for (const o of [
      "http://localhost",
      "https://localhost:1",
      "HTTP://LOCALHOST:3000",
      "http://127.0.0.1:8080",
      "https://0.0.0.0",
      "app://x",
      "file://",
      "tauri://localhost",
      "vscode-webview://abc",
      "vscode-file://vscode-app",
    ])
      expect([o, p.allows(o)]).toEqual([o, true]);
    for (const o of [
      "null",
      "http://localhost.evil",
      "http://127.0.0.1.evil",
      "https://example.com",
      "chrome-extension://abc",
      "",
    ])
      expect([o, p.allows(o)]).toEqual([o, false]);
  });

  test("configured patterns: exact, * wildcards anywhere, * alone, regex characters literal", () => {
    const p = new OriginPolicy(["https://*.example.com", " http://a.test:8080 ", "chrome-extension://*"]);
    expect(p.allows("https://x.example.com")).toBe(true);
    expect(p.allows("https://example.com")).toBe(false);
    expect(p.allows("https://xexample.com")).toBe(false);
    expect(p.allows("http://a.test:8080")).toBe(true);
    expect(p.allows("http://aXtest:8080")).toBe(false);
    expect(p.allows("chrome-extension://abcdef")).toBe(true);
    expect(new OriginPolicy(["*"]).allows("https://anything.example")).toBe(true);
    expect(new OriginPolicy(["*"]).allows("null")).toBe(true);
  });
});
