/**
 * JSON Schema → GBNF, enforced by llama.cpp's grammar sampler. What is supported and what is a 400 is
 * described where it is implemented: keywords.ts (accepted and refused keywords), converter.ts (combinators,
 * $ref, enum/const), object.ts, array.ts, string.ts (with formats.ts and regex-gbnf.ts), numeric.ts.
 */
import { GrammarBuilder } from "./builder.ts";

export { GrammarBuilder } from "./builder.ts";

/** Converts a JSON schema into a GBNF grammar whose root matches conforming JSON documents (400s when it cannot). */
export function schemaToGbnf(schema: Record<string, unknown> | boolean): string {
  const b = new GrammarBuilder();
  return b.grammar(b.schema(schema, "root"));
}
