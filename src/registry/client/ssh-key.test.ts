import { afterAll, describe, expect, test } from "bun:test";
import { createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SigningKeyError } from "../errors.ts";
import { authorizedKey, formatPrivateKey, keyFromObject, parsePrivateKey } from "./ssh-key.ts";

const dir = mkdtempSync(join(tmpdir(), "tsllm-sshkey-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasSshKeygen = Bun.spawnSync(["sh", "-c", "command -v ssh-keygen"]).exitCode === 0;

describe("OpenSSH ed25519 keys", () => {
  test("write → read round trip keeps the key", () => {
    const key = keyFromObject(generateKeyPairSync("ed25519").privateKey);
    const text = formatPrivateKey(key);
    expect(text.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n")).toBe(true);
    expect(text.split("\n").every((l) => l.length <= 64 || l.startsWith("-----"))).toBe(true);
    const back = parsePrivateKey(text);
    expect(Buffer.from(back.publicKey).equals(Buffer.from(key.publicKey))).toBe(true);
    const sig = sign(null, Buffer.from("x"), back.privateKey);
    expect(verify(null, Buffer.from("x"), generatePublic(key.publicKey), sig)).toBe(true);
  });

  test("the authorized_keys line is ssh-ed25519 + base64 wire blob", () => {
    const key = keyFromObject(generateKeyPairSync("ed25519").privateKey);
    const [type, b64] = authorizedKey(key.publicKey).split(" ");
    expect(type).toBe("ssh-ed25519");
    const blob = Buffer.from(b64 as string, "base64");
    expect(blob.readUInt32BE(0)).toBe(11);
    expect(blob.subarray(4, 15).toString()).toBe("ssh-ed25519");
    expect(blob.readUInt32BE(15)).toBe(32);
    expect(blob.subarray(19).equals(Buffer.from(key.publicKey))).toBe(true);
  });

  test("rejects garbage, truncation and encrypted keys", () => {
    expect(() => parsePrivateKey("hello")).toThrow(SigningKeyError);
    const text = formatPrivateKey(keyFromObject(generateKeyPairSync("ed25519").privateKey));
    const lines = text.trim().split("\n");
    const cut = [lines[0], lines[1], lines[2], lines.at(-1)].join("\n");
    expect(() => parsePrivateKey(cut)).toThrow(SigningKeyError);
    // Swap the cipher name "none" for "aes1" (same length): an encrypted key.
    const blob = Buffer.from(lines.slice(1, -1).join(""), "base64");
    blob.write("aes1", 15 + 4);
    const enc = `-----BEGIN OPENSSH PRIVATE KEY-----\n${blob.toString("base64")}\n-----END OPENSSH PRIVATE KEY-----\n`;
    expect(() => parsePrivateKey(enc)).toThrow(/encrypted/);
  });

  test.skipIf(!hasSshKeygen)("interoperates with ssh-keygen both ways", () => {
    const theirs = join(dir, "theirs");
    expect(
      Bun.spawnSync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "c", "-f", theirs]).exitCode,
    ).toBe(0);
    const parsed = parsePrivateKey(readFileSync(theirs, "utf8"));
    expect(authorizedKey(parsed.publicKey)).toBe(
      readFileSync(`${theirs}.pub`, "utf8").trim().replace(/ c$/, ""),
    );

    const ours = join(dir, "ours");
    const key = keyFromObject(generateKeyPairSync("ed25519").privateKey);
    writeFileSync(ours, formatPrivateKey(key), { mode: 0o600 });
    const derived = Bun.spawnSync(["ssh-keygen", "-y", "-f", ours]);
    expect(derived.exitCode).toBe(0);
    expect(derived.stdout.toString().trim()).toBe(authorizedKey(key.publicKey));
  });
});

function generatePublic(raw: Uint8Array) {
  return createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") },
    format: "jwk",
  });
}
