/** Identifiers in Anthropic's forms: `msg_…`, `toolu_…`, and thinking signatures. */
import { createHash, randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `prefix_01` followed by 22 random base62 characters (the length of Anthropic's ids). */
function randomId(prefix: string): string {
  let out = `${prefix}_01`;
  for (const b of randomBytes(22)) out += ALPHABET[b % ALPHABET.length];
  return out;
}

/** A message id, `msg_…`. */
export const messageId = (): string => randomId("msg");

/** A tool use id, `toolu_…`. */
export const toolUseId = (): string => randomId("toolu");

/**
 * A thinking block's signature. Anthropic's SDKs and agents carry it back with the block on later turns;
 * nothing here verifies it, so it only needs to be opaque and stable for the same thinking.
 */
export function thinkingSignature(thinking: string): string {
  return createHash("sha256").update(`tsllm-thinking\0${thinking}`).digest("base64");
}
