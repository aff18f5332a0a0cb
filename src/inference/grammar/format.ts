/** `format` of generate/chat → a GBNF grammar ("json" = any JSON object, or a JSON schema). */
import { InvalidFormatError } from "../errors.ts";
import { schemaToGbnf } from "./json-schema.ts";
import { anyJsonGrammar } from "./primitives.ts";

/** The grammar for a request's `format`; undefined when absent, null or "". Throws 400 when invalid. */
export function formatToGrammar(format: unknown): string | undefined {
  if (format === undefined || format === null || format === "") return undefined;
  if (format === "json") return anyJsonGrammar();
  if (typeof format === "object" && !Array.isArray(format))
    return schemaToGbnf(format as Record<string, unknown>);
  throw new InvalidFormatError(format);
}
