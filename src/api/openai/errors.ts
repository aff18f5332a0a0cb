/** OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`. */
import type { ErrorBody } from "../errors.ts";

/** OpenAI's error type for a status. */
function errorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429 || status === 503) return "rate_limit_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

/** The error body OpenAI's SDKs parse. */
export const openaiErrorBody: ErrorBody = (a) => ({
  error: { message: a.message, type: errorType(a.status), param: null, code: null },
});
