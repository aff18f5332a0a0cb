/**
 * Request bodies are JSON whatever the Content-Type says (Ollama's clients and curl -d both work).
 * An empty body is Ollama's `missing request body`; malformed JSON is a 400 naming the problem.
 */
import { InvalidInputError } from "../errors.ts";

/** Elysia `parse` hook: the body as JSON. */
export async function jsonBody({ request }: { request: Request }): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === "") throw new InvalidInputError("missing request body");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`invalid JSON in request body: ${(e as Error).message}`);
  }
}
