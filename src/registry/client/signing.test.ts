import { describe, expect, test } from "bun:test";
import { createHash, createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import {
  goEncodeValues,
  goQueryEscape,
  signatureHeader,
  signedText,
  signsRequests,
  tokenUrl,
} from "./signing.ts";
import { authorizedKey, keyFromObject } from "./ssh-key.ts";

/** Verifies an `Authorization: <pubkey blob>:<sig>` header the way Ollama's server side must. */
function verifyOllamaSignature(header: string, text: string): { ok: boolean; publicKey: Buffer } {
  const [pub64, sig64] = header.split(":") as [string, string];
  const blob = Buffer.from(pub64, "base64");
  const typeLen = blob.readUInt32BE(0);
  const type = blob.subarray(4, 4 + typeLen).toString();
  const keyLen = blob.readUInt32BE(4 + typeLen);
  const raw = blob.subarray(8 + typeLen, 8 + typeLen + keyLen);
  if (type !== "ssh-ed25519" || raw.length !== 32) return { ok: false, publicKey: raw };
  const pk = createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") },
    format: "jwk",
  });
  return { ok: verify(null, Buffer.from(text), pk, Buffer.from(sig64, "base64")), publicKey: raw };
}

describe("Ollama request signing", () => {
  test("Go's QueryEscape and sorted Values.Encode", () => {
    expect(goQueryEscape("repository:library/llama3.2:pull")).toBe("repository%3Alibrary%2Fllama3.2%3Apull");
    expect(goQueryEscape("a b~*+é")).toBe("a+b~%2A%2B%C3%A9");
    const v = new Map([
      ["ts", ["1"]],
      ["scope", ["a", "b"]],
      ["nonce", ["n"]],
    ]);
    expect(goEncodeValues(v)).toBe("nonce=n&scope=a&scope=b&ts=1");
  });

  test("the token URL carries service, every scope, ts and nonce, keys sorted", () => {
    const url = tokenUrl({
      realm: "https://registry.ollama.ai/v2/token?x=1",
      service: "registry.ollama.ai",
      scope: "repository:library/m:pull repository:other/m:pull",
      signed: { nowMs: 1_700_000_000_999, nonce: "Tm9uY2U" },
    });
    expect(url).toBe(
      "https://registry.ollama.ai/v2/token?nonce=Tm9uY2U&scope=repository%3Alibrary%2Fm%3Apull&scope=repository%3Aother%2Fm%3Apull&service=registry.ollama.ai&ts=1700000000&x=1",
    );
  });

  test("the signed text is GET,<url>,<base64 of the hex sha256 of an empty body>", () => {
    const hex = createHash("sha256").update("").digest("hex");
    expect(hex).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(signedText("GET", "https://h/t?a=1")).toBe(
      `GET,https://h/t?a=1,${Buffer.from(hex).toString("base64")}`,
    );
  });

  test("the header is <public key blob>:<signature> and verifies with the key's public half", () => {
    const key = keyFromObject(generateKeyPairSync("ed25519").privateKey);
    const text = signedText("GET", "https://registry.ollama.ai/v2/token?nonce=x&scope=s&service=y&ts=1");
    const header = signatureHeader(key, text);
    expect(header.split(":")[0]).toBe(authorizedKey(key.publicKey).split(" ")[1]);
    const { ok, publicKey } = verifyOllamaSignature(header, text);
    expect(ok).toBe(true);
    expect(publicKey.equals(Buffer.from(key.publicKey))).toBe(true);
    expect(verifyOllamaSignature(header, `${text}x`).ok).toBe(false);
  });

  test("signs for Ollama's registry and Hugging Face only", () => {
    for (const h of ["registry.ollama.ai", "ollama.com", "hf.co", "huggingface.co", "HF.CO:443"]) {
      expect(signsRequests(h)).toBe(true);
    }
    for (const h of ["ghcr.io", "127.0.0.1:5000", "hf.co.evil.example"]) expect(signsRequests(h)).toBe(false);
  });
});
