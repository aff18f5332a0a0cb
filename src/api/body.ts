/**
 * Request bodies are JSON whatever the Content-Type says (Ollama's clients and curl -d both work).
 * An empty body is Ollama's `missing request body`; malformed JSON is a 400 naming the problem. The
 * body is checked against the route's schema here, strictly (no string-to-number or string-to-array
 * coercion), so a wrong type is a 400 naming the field.
 */
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { InvalidInputError } from "../errors.ts";

/** The field path and problem of the shallowest schema violation in `value`. */
export function schemaProblem(schema: TSchema, value: unknown): string | undefined {
  let best: { path: string; message: string; value: unknown } | undefined;
  for (const e of Value.Errors(schema, value)) {
    if (!best || e.path.length < best.path.length) best = e;
  }
  if (!best) return undefined;
  const field = best.path.replace(/^\//, "").replaceAll("/", ".");
  const what = best.message.replace(/^Expected/, "expected");
  const v = best.value;
  const got = v === undefined ? "nothing" : v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
  return field ? `invalid value for field "${field}": ${what}, got ${got}` : `invalid request body: ${what}`;
}

/** Elysia `parse` hook: the body as JSON, checked against `schema` when given. */
export function jsonBody(schema?: TSchema) {
  return async ({ request }: { request: Request }): Promise<unknown> => {
    const text = await request.text();
    if (text.trim() === "") throw new InvalidInputError("missing request body");
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new InvalidInputError(`invalid JSON in request body: ${(e as Error).message}`);
    }
    const problem = schema ? schemaProblem(schema, value) : undefined;
    if (problem) throw new InvalidInputError(problem);
    return value;
  };
}
