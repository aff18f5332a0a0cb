import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../log.ts";
import { createKeyFile, KEY_FILE, SigningKeys } from "./keys.ts";
import { authorizedKey } from "./ssh-key.ts";

const root = mkdtempSync(join(tmpdir(), "tsllm-keys-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const log = new Logger("error");
let n = 0;
const fresh = () => join(root, `case-${n++}`);

describe("signing keys", () => {
  test("created on first need in the tsllm home: 0600 key, .pub beside it", () => {
    const home = join(fresh(), "home");
    const key = new SigningKeys({ home }, log).get();
    const path = join(home, KEY_FILE);
    expect(key.path).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${path}.pub`, "utf8")).toBe(`${authorizedKey(key.publicKey)}\n`);
  });

  test("an existing tsllm key is reused, not replaced", () => {
    const home = fresh();
    const first = new SigningKeys({ home }, log).get();
    const before = readFileSync(join(home, KEY_FILE), "utf8");
    const again = new SigningKeys({ home }, log).get();
    expect(authorizedKey(again.publicKey)).toBe(authorizedKey(first.publicKey));
    expect(readFileSync(join(home, KEY_FILE), "utf8")).toBe(before);
  });

  test("Ollama's key is preferred when present, and nothing is created in the tsllm home", () => {
    const base = fresh();
    const ollama = createKeyFile(join(base, ".ollama"));
    const home = join(base, "tsllm");
    const key = new SigningKeys({ home, ollamaKeyPath: ollama.path }, log).get();
    expect(authorizedKey(key.publicKey)).toBe(authorizedKey(ollama.publicKey));
    expect(existsSync(join(home, KEY_FILE))).toBe(false);
  });

  test("an unusable Ollama key falls back to tsllm's own", () => {
    const base = fresh();
    mkdirSync(join(base, ".ollama"), { recursive: true });
    const broken = join(base, ".ollama", KEY_FILE);
    writeFileSync(broken, "not a key");
    const key = new SigningKeys({ home: join(base, "tsllm"), ollamaKeyPath: broken }, log).get();
    expect(key.path).toBe(join(base, "tsllm", KEY_FILE));
  });

  test("createKeyFile keeps the key already there (a concurrent creator won)", () => {
    const dir = fresh();
    const a = createKeyFile(dir);
    const b = createKeyFile(dir);
    expect(authorizedKey(b.publicKey)).toBe(authorizedKey(a.publicKey));
  });
});
