import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AccessConfigError } from "./errors.ts";
import { constantTimeEqual, KeyRing, parseKeys } from "./keys.ts";

const dir = mkdtempSync(join(tmpdir(), "tsllm-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("constantTimeEqual", () => {
  test("equal strings match; different contents or lengths do not, and nothing throws", () => {
    expect(constantTimeEqual("secret-key", "secret-key")).toBe(true);
    expect(constantTimeEqual("secret-key", "secret-kez")).toBe(false);
    expect(constantTimeEqual("secret-key", "secret-key-longer")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
    expect(constantTimeEqual("", "x")).toBe(false);
    expect(constantTimeEqual("ключ", "ключ")).toBe(true);
  });
});

describe("parseKeys", () => {
  test("scopes, comments, blanks and empty admin entries", () => {
    const { keys, empty } = parseKeys("# comment\n\n  k1  \nadmin:k2\r\nadmin:\n#admin:k3\n", /\r?\n/);
    expect(keys.map((k) => k.scope)).toEqual(["inference", "admin"]);
    expect(empty).toBe(1);
    // Only digests are kept.
    expect(JSON.stringify(keys)).not.toContain("k1");
  });
});

describe("KeyRing", () => {
  test("no setting: keys not required", () => {
    const ring = new KeyRing({ list: "", file: "" });
    expect(ring.required).toBe(false);
    expect(ring.match(["anything"])).toBeUndefined();
  });

  test("a list: the best scope among the presented keys", () => {
    const ring = new KeyRing({ list: "inf, admin:adm", file: "" });
    expect(ring.required).toBe(true);
    expect(ring.match(["inf"])).toBe("inference");
    expect(ring.match(["adm"])).toBe("admin");
    expect(ring.match(["nope", "inf"])).toBe("inference");
    expect(ring.match(["inf", "adm"])).toBe("admin");
    expect(ring.match(["admin:adm"])).toBeUndefined();
    expect(ring.match([""])).toBeUndefined();
  });

  test("the file is re-read when it changes, at most once per recheck interval", () => {
    const file = join(dir, "keys");
    writeFileSync(file, "old\n");
    let now = 0;
    const ring = new KeyRing({ list: "fixed", file, recheckMs: 1000, now: () => now });
    expect(ring.match(["old"])).toBe("inference");
    writeFileSync(file, "# rotated\nadmin:new-admin-key\n");
    now = 500; // within the interval: not looked at yet
    expect(ring.match(["old"])).toBe("inference");
    now = 1500;
    expect(ring.match(["old"])).toBeUndefined();
    expect(ring.match(["new-admin-key"])).toBe("admin");
    expect(ring.match(["fixed"])).toBe("inference");
    expect(ring.counts()).toEqual({ keys: 2, admin: 1 });
  });

  test("a file that disappears keeps the keys last read (never opens the server)", () => {
    const file = join(dir, "gone");
    writeFileSync(file, "kept\n");
    let now = 0;
    const ring = new KeyRing({ list: "", file, recheckMs: 0, now: () => now });
    rmSync(file);
    now = 10;
    expect(ring.required).toBe(true);
    expect(ring.match(["kept"])).toBe("inference");
  });

  test("an empty file: keys required, none accepted", () => {
    const file = join(dir, "empty");
    writeFileSync(file, "# nothing yet\n");
    const ring = new KeyRing({ list: "", file });
    expect(ring.required).toBe(true);
    expect(ring.match(["x"])).toBeUndefined();
  });

  test("an unreadable file at startup is a configuration error that does not name the path", () => {
    const missing = join(dir, "missing");
    expect(() => new KeyRing({ list: "", file: missing })).toThrow(AccessConfigError);
    expect(() => new KeyRing({ list: "", file: missing })).toThrow(/^TSLLM_API_KEYS_FILE: /);
    try {
      new KeyRing({ list: "", file: missing });
    } catch (e) {
      expect((e as Error).message).not.toContain(dir);
    }
  });
});
