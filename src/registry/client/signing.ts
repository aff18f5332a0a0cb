/**
 * Ollama's token-request signing for registry.ollama.ai / ollama.com and Hugging Face. Byte for byte what
 * Ollama's server/auth.go does: the token URL is the realm plus service, scope, ts and nonce encoded as Go's
 * url.Values.Encode (keys sorted, QueryEscape), the signed text is `GET,<url>,<base64(hex(sha256("")))>`, and
 * the header is `Authorization: <base64 public key blob>:<base64 raw signature>`.
 */
import { createHash, randomBytes, sign } from "node:crypto";
import type { Ed25519Key } from "./ssh-key.ts";
import { publicKeyBlob } from "./ssh-key.ts";

/** Registry hosts whose token service expects Ollama's signed request. */
const SIGNING_HOSTS = new Set([
  "registry.ollama.ai",
  "ollama.com",
  "www.ollama.com",
  "hf.co",
  "huggingface.co",
]);

/** True when requests to this registry host (`host[:port]`) are signed. */
export function signsRequests(host: string): boolean {
  return SIGNING_HOSTS.has(host.toLowerCase().replace(/:443$/, ""));
}

/** Go's url.QueryEscape: unreserved bytes kept, space → "+", everything else %XX (upper case). */
export function goQueryEscape(s: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Go's url.Values.Encode: keys sorted, each key's values in insertion order. */
export function goEncodeValues(values: ReadonlyMap<string, readonly string[]>): string {
  return [...values.keys()]
    .sort()
    .flatMap((k) => (values.get(k) ?? []).map((v) => `${goQueryEscape(k)}=${goQueryEscape(v)}`))
    .join("&");
}

/** What goes into a token request. */
export interface TokenQuery {
  readonly realm: string;
  readonly service: string;
  /** Space-separated scopes (one `scope` parameter each, as in Ollama's challenge.URL). */
  readonly scope: string;
  /** Adds Ollama's `ts` (unix seconds) and `nonce` (16 random bytes, base64url) parameters. */
  readonly signed?: { readonly nowMs: number; readonly nonce?: string };
}

/** The token request URL as a string (the exact text a signature covers). */
export function tokenUrl(q: TokenQuery): string {
  const realm = new URL(q.realm);
  const values = new Map<string, string[]>();
  const add = (k: string, v: string) => values.set(k, [...(values.get(k) ?? []), v]);
  for (const [k, v] of realm.searchParams) add(k, v);
  add("service", q.service);
  for (const s of q.scope.split(" ")) add("scope", s);
  if (q.signed) {
    add("ts", String(Math.floor(q.signed.nowMs / 1000)));
    add("nonce", q.signed.nonce ?? newNonce());
  }
  // The realm's own text up to the query, kept as the registry wrote it (Go's String keeps an explicit :443).
  const head = q.realm.replace(/[?#].*$/, "");
  return `${head}?${goEncodeValues(values)}`;
}

/** Ollama's auth.NewNonce(rand.Reader, 16). */
export function newNonce(): string {
  return randomBytes(16).toString("base64url");
}

/** The text Ollama signs for a GET with an empty body. */
export function signedText(method: string, url: string): string {
  const emptyBodyHash = createHash("sha256").update("").digest("hex");
  return `${method},${url},${Buffer.from(emptyBodyHash).toString("base64")}`;
}

/** `Authorization` value: `<base64 SSH public key blob>:<base64 ed25519 signature of text>`. */
export function signatureHeader(key: Ed25519Key, text: string): string {
  const sig = sign(null, Buffer.from(text), key.privateKey);
  return `${publicKeyBlob(key.publicKey).toString("base64")}:${sig.toString("base64")}`;
}
