import { describe, expect, test } from "bun:test";
import { parseChallenges, pickChallenge } from "./challenge.ts";

describe("parseChallenges", () => {
  test("a docker distribution Bearer challenge", () => {
    const h =
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:ns/m:pull,push"';
    expect(parseChallenges(h)).toEqual([
      {
        scheme: "bearer",
        params: {
          realm: "https://auth.example.com/token",
          service: "registry.example.com",
          scope: "repository:ns/m:pull,push",
        },
      },
    ]);
  });

  test("Ollama's registry challenge with spaces and unquoted values", () => {
    const [c] = parseChallenges(
      'Bearer realm="https://ollama.com:443/token", service=ollama.com, scope="a b"',
    );
    expect(c?.params).toEqual({ realm: "https://ollama.com:443/token", service: "ollama.com", scope: "a b" });
  });

  test("Basic, escapes, and several challenges in one value", () => {
    const all = parseChallenges('Basic realm="basic \\"realm\\"", Bearer realm="https://t/x",service="s"');
    expect(all.map((c) => c.scheme)).toEqual(["basic", "bearer"]);
    expect(all[0]?.params.realm).toBe('basic "realm"');
    expect(pickChallenge('Basic realm="r", Bearer realm="https://t/x"')?.scheme).toBe("bearer");
    expect(pickChallenge('Basic realm="r"')?.scheme).toBe("basic");
  });

  test("garbage and empty values yield nothing to answer", () => {
    expect(parseChallenges("")).toEqual([]);
    expect(pickChallenge("Negotiate abc==, NTLM")).toBeUndefined();
    expect(parseChallenges("Bearer")).toEqual([{ scheme: "bearer", params: {} }]);
  });
});
