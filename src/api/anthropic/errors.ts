/** Anthropic's error body: `{"type": "error", "error": {"type", "message"}}`. */
import type { ErrorBody } from "../errors.ts";

/** Anthropic's error type for a status. */
function errorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 503 || status === 529) return "overloaded_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

/** The error body Anthropic's SDKs parse. */
export const anthropicErrorBody: ErrorBody = (a) => ({
  type: "error",
  error: { type: errorType(a.status), message: a.message },
});
