/**
 * OpenAI's error body, `{"error": {"message", "type", "param", "code"}}`, and the errors the OpenAI routes
 * raise themselves. The SDKs pick their error class from the status alone (400 BadRequestError, 404
 * NotFoundError, …) and expose `type`, `param` and `code` as read here.
 */
import { TsllmError } from "../../errors.ts";
import type { ErrorAnswer, ErrorBody } from "../errors.ts";

/** OpenAI's error type for a status. */
function errorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429 || status === 503) return "rate_limit_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

/** The error body OpenAI's SDKs parse; `code` and `param` are null unless the error names them. */
export const openaiErrorBody: ErrorBody = (a: ErrorAnswer) => ({
  error: { message: a.message, type: errorType(a.status), param: a.param ?? null, code: a.code ?? null },
});

/** A request field OpenAI defines that has a value this server cannot honour, or a malformed one (400). */
export class OpenAIParamError extends TsllmError {
  /** The request field, in OpenAI's dotted form (e.g. `messages[1].content[0].image_url`). */
  readonly param: string;

  constructor(param: string, message: string, code = "invalid_value") {
    super(message, { code, status: 400 });
    this.param = param;
  }
}

/** A parameter value that is valid for OpenAI but not supported here: names the parameter (400). */
export function unsupported(param: string, what: string): OpenAIParamError {
  return new OpenAIParamError(param, `${what} is not supported (parameter '${param}')`, "unsupported_value");
}

/** `previous_response_id` naming no stored response (400, as OpenAI answers). */
export class PreviousResponseNotFoundError extends TsllmError {
  /** Always `previous_response_id`. */
  readonly param = "previous_response_id";

  constructor(id: string) {
    super(`Previous response with id '${id}' not found.`, {
      code: "previous_response_not_found",
      status: 400,
    });
  }
}

/** A stored response that does not exist (GET/DELETE /v1/responses/{id}) (404). */
export class ResponseNotFoundError extends TsllmError {
  constructor(id: string) {
    super(`Response with id '${id}' not found.`, { code: "not_found", status: 404 });
  }
}
