import { createHash } from "node:crypto";
import { InvalidDigestError } from "./errors.ts";

const DIGEST_RE = /^sha256[:-]([0-9a-fA-F]{64})$/;

/** Canonical API form `sha256:<64 lowercase hex>` of a digest given as `sha256:` or `sha256-`; throws 400. */
export function parseDigest(digest: string): string {
  const m = DIGEST_RE.exec(digest);
  if (!m) throw new InvalidDigestError(digest);
  return `sha256:${(m[1] as string).toLowerCase()}`;
}

/** True when `digest` is a well-formed sha256 digest in either form. */
export function isDigest(digest: string): boolean {
  return DIGEST_RE.test(digest);
}

/** The blob file name `sha256-<hex>` for a digest in either form. */
export function digestToFileName(digest: string): string {
  return parseDigest(digest).replace(":", "-");
}

/** The digest `sha256:<hex>` a blob file name stands for, or undefined for other files (temps, partials). */
export function fileNameToDigest(name: string): string | undefined {
  return /^sha256-[0-9a-f]{64}$/.test(name) ? name.replace("-", ":") : undefined;
}

/** `sha256:<hex>` of in-memory bytes (a string is hashed as UTF-8). */
export function digestOf(data: string | Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}
