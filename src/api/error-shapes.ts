/** Which API family a path belongs to, for the shape of its error bodies. */
import { anthropicErrorBody } from "./anthropic/errors.ts";
import { type ErrorBody, ollamaErrorBody } from "./errors.ts";
import { openaiErrorBody } from "./openai/errors.ts";

/** Anthropic's shape under /v1/messages, OpenAI's under the rest of /v1/, Ollama's elsewhere. */
export function errorBodyFor(path: string): ErrorBody {
  if (path === "/v1/messages" || path.startsWith("/v1/messages/")) return anthropicErrorBody;
  if (path.startsWith("/v1/")) return openaiErrorBody;
  return ollamaErrorBody;
}
