/**
 * Request bodies are JSON whatever the Content-Type says (Ollama's clients and curl -d both work). They are
 * read and parsed under the request limits (limits/json-body.ts: size, read timeout, nesting depth, big
 * bodies parsed off the server's thread). An empty body is Ollama's `missing request body`; malformed JSON
 * is a 400 naming the problem. The parsed body is decoded as Ollama's Go server decodes it (see decode.ts:
 * unknown fields ignored, null = not set), then checked against the route's schema strictly (no
 * string-to-number or string-to-array coercion), so a wrong type is a 400 naming the field. What this hook
 * returns always satisfies the schema, so Elysia's own validation of `body` cannot refuse it.
 */
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { InvalidInputError } from "../errors.ts";
import { decodeLenient, fits } from "./decode.ts";
import { readJsonBody } from "./limits/json-body.ts";

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

/** `value` decoded leniently against `schema`, or a 400 naming the first wrong field. */
export function decodeBody<T = unknown>(schema: TSchema, value: unknown): T {
  const decoded = decodeLenient(schema, value);
  // The compiled check is fast; walking every error (to name the shallowest) is for bodies that fail it.
  if (fits(schema, decoded)) return decoded as T;
  const problem = schemaProblem(schema, decoded);
  if (problem) throw new InvalidInputError(problem);
  return decoded as T;
}

/** Elysia `parse` hook: the body as JSON, decoded leniently against `schema` when given. */
export function jsonBody(schema?: TSchema) {
  return async ({ request }: { request: Request }): Promise<unknown> => {
    const value = await readJsonBody(request);
    return schema ? decodeBody(schema, value) : value;
  };
}
