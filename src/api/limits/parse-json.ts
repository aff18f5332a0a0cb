/**
 * JSON request bytes → a value, the same way on the server's thread and in the parse workers: the depth
 * pre-scan, then UTF-8 decoding, then JSON.parse. The outcome is plain data so a worker can post it back;
 * `outcomeValue` turns it into the value or the client error it stands for.
 */
import { InvalidInputError } from "../../errors.ts";
import { JsonTooDeepError } from "./errors.ts";
import { jsonTooDeep } from "./json-depth.ts";

/** A parsed body, or why it could not be parsed. */
export type ParseOutcome =
  | { ok: true; value: unknown }
  | { ok: false; problem: "empty" | "deep" | "syntax"; message: string };

const decoder = new TextDecoder();

/** Parses JSON `bytes`, refusing nesting deeper than `maxDepth` before parsing. */
export function parseJsonBytes(bytes: Uint8Array, maxDepth: number): ParseOutcome {
  if (jsonTooDeep(bytes, maxDepth)) return { ok: false, problem: "deep", message: "" };
  const text = decoder.decode(bytes);
  if (text.trim() === "") return { ok: false, problem: "empty", message: "" };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, problem: "syntax", message: (e as Error).message };
  }
}

/** The value of `o`, or the 400 it stands for (Ollama's texts for an empty or malformed body). */
export function outcomeValue(o: ParseOutcome, maxDepth: number): unknown {
  if (o.ok) return o.value;
  if (o.problem === "deep") throw new JsonTooDeepError(maxDepth);
  if (o.problem === "empty") throw new InvalidInputError("missing request body");
  throw new InvalidInputError(`invalid JSON in request body: ${o.message}`);
}
