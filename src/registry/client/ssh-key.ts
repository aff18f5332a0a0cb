/**
 * The OpenSSH formats of an ed25519 key, written and read with node:crypto only: the private key file
 * (`-----BEGIN OPENSSH PRIVATE KEY-----`, unencrypted, as `ssh-keygen` and Ollama write it) and the
 * public key's wire blob / authorized_keys line. Ollama signs with the same files, so both tools share a key.
 */
import { createPrivateKey, createPublicKey, type KeyObject, randomBytes } from "node:crypto";
import { SigningKeyError } from "../errors.ts";

const MAGIC = "openssh-key-v1\0";
const KEY_TYPE = "ssh-ed25519";
const BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
const END = "-----END OPENSSH PRIVATE KEY-----";

/** An ed25519 key pair in both forms the signer needs. */
export interface Ed25519Key {
  readonly privateKey: KeyObject;
  /** The 32-byte public key. */
  readonly publicKey: Uint8Array;
}

/** Builds a key object pair from a 32-byte seed and its 32-byte public key. */
export function keyFromSeed(seed: Uint8Array, publicKey: Uint8Array): Ed25519Key {
  const b64u = (b: Uint8Array) => Buffer.from(b).toString("base64url");
  const privateKey = createPrivateKey({
    key: { kty: "OKP", crv: "Ed25519", d: b64u(seed), x: b64u(publicKey) },
    format: "jwk",
  });
  // A file whose public half disagrees with its seed would sign with a key the server does not know.
  const derived = Buffer.from(createPublicKey(privateKey).export({ format: "jwk" }).x as string, "base64url");
  if (!derived.equals(Buffer.from(publicKey)))
    throw new SigningKeyError("public key does not match the private key");
  return { privateKey, publicKey };
}

/** Extracts seed and public key from a node:crypto ed25519 private key. */
export function keyFromObject(privateKey: KeyObject): Ed25519Key {
  const jwk = privateKey.export({ format: "jwk" });
  return keyFromSeed(Buffer.from(jwk.d as string, "base64url"), Buffer.from(jwk.x as string, "base64url"));
}

/** SSH wire string: uint32 length + bytes. */
function sshString(b: Uint8Array | string): Buffer {
  const bytes = typeof b === "string" ? Buffer.from(b) : Buffer.from(b);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/** The public key's SSH wire blob: string "ssh-ed25519", string key. */
export function publicKeyBlob(publicKey: Uint8Array): Buffer {
  return Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)]);
}

/** `ssh-ed25519 <base64 blob>`: the authorized_keys line Ollama prints and registries identify you by. */
export function authorizedKey(publicKey: Uint8Array): string {
  return `${KEY_TYPE} ${publicKeyBlob(publicKey).toString("base64")}`;
}

/** Serialises a key as an unencrypted OpenSSH private key file (PEM lines of 64, as Go's pem writes). */
export function formatPrivateKey(key: Ed25519Key, comment = ""): string {
  const seed = Buffer.from(key.privateKey.export({ format: "jwk" }).d as string, "base64url");
  const check = randomBytes(4);
  const body = [
    check,
    check,
    sshString(KEY_TYPE),
    sshString(key.publicKey),
    sshString(Buffer.concat([seed, key.publicKey])),
    sshString(comment),
  ];
  let priv = Buffer.concat(body);
  const pad = (8 - (priv.length % 8)) % 8;
  priv = Buffer.concat([priv, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const blob = Buffer.concat([
    Buffer.from(MAGIC, "latin1"),
    sshString("none"),
    sshString("none"),
    sshString(""),
    Buffer.from([0, 0, 0, 1]),
    sshString(publicKeyBlob(key.publicKey)),
    sshString(priv),
  ]);
  const b64 = blob.toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `${BEGIN}\n${lines.join("\n")}\n${END}\n`;
}

/** Reads SSH wire fields from a buffer, failing with SigningKeyError on truncation. */
class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  uint32(): number {
    if (this.at + 4 > this.buf.length) throw new SigningKeyError("truncated key");
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  bytes(): Buffer {
    const n = this.uint32();
    if (this.at + n > this.buf.length) throw new SigningKeyError("truncated key");
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }

  text(): string {
    return this.bytes().toString("latin1");
  }
}

/** Parses an unencrypted OpenSSH ed25519 private key file. */
export function parsePrivateKey(text: string): Ed25519Key {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new SigningKeyError("not an OpenSSH private key");
  const blob = Buffer.from(text.slice(start + BEGIN.length, end).replace(/\s+/g, ""), "base64");
  if (blob.subarray(0, MAGIC.length).toString("latin1") !== MAGIC) {
    throw new SigningKeyError("not an OpenSSH private key");
  }
  const r = new Reader(blob.subarray(MAGIC.length));
  const cipher = r.text();
  const kdf = r.text();
  r.bytes();
  if (cipher !== "none" || kdf !== "none") throw new SigningKeyError("encrypted keys are not supported");
  if (r.uint32() !== 1) throw new SigningKeyError("expected exactly one key");
  r.bytes();
  const p = new Reader(r.bytes());
  if (p.uint32() !== p.uint32()) throw new SigningKeyError("corrupt private key (check bytes differ)");
  const type = p.text();
  if (type !== KEY_TYPE) throw new SigningKeyError(`unsupported key type ${type}`);
  const pub = p.bytes();
  const secret = p.bytes();
  if (pub.length !== 32 || secret.length !== 64) throw new SigningKeyError("malformed ed25519 key");
  return keyFromSeed(secret.subarray(0, 32), pub);
}
