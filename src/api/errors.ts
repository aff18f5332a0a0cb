/**
 * The one place errors become HTTP answers: `{"error": message}` with the error's status. Elysia's own
 * validation, parse and routing errors are mapped to 400/404 so a client mistake is never a 500.
 */
import { TsllmError } from "../errors.ts";
import { storageError } from "../store/fs-errors.ts";
import type { Logger } from "../log.ts";

/** An error body and its status; `code` and `param` when the error names them (OpenAI's body shows them). */
export interface ErrorAnswer {
  status: number;
  message: string;
  /** Machine-readable kind of a TsllmError (e.g. "model_not_found"). */
  code?: string;
  /** The request field the error concerns, when the error carries one. */
  param?: string;
  /** False for a 5xx that reports another system's failure (a registry): logged as a warning, not an error. */
  fault?: boolean;
}

interface ValueErrorLike {
  path?: string;
  message?: string;
  summary?: string;
  value?: unknown;
}

/** "field \"options.temperature\": expected number" from an Elysia/TypeBox validation error. */
function validationMessage(err: unknown): string {
  const all = (err as { all?: ValueErrorLike[] }).all;
  // The shallowest failing path is the field the client got wrong (deeper ones follow from it).
  const byDepth = [...(all ?? [])].sort((a, b) => (a.path ?? "").length - (b.path ?? "").length);
  const first = byDepth[0] ?? (err as { valueError?: ValueErrorLike }).valueError;
  const field = (first?.path ?? "").replace(/^\//, "").replaceAll("/", ".");
  const what = (first?.message ?? "invalid value").replace(/^Expected/, "expected");
  if (!field) return `invalid request body: ${what}`;
  const got =
    first?.value === undefined ? "missing" : Array.isArray(first.value) ? "array" : typeof first.value;
  return `invalid value for field "${field}": ${what}, got ${got === "object" && first?.value === null ? "null" : got}`;
}

/** `message` with absolute file paths replaced: a server fault's text must not reveal the machine's layout. */
export function withoutPaths(message: string): string {
  return message.replace(/(^|[\s'"(=:])\/(?:[\w.@+-]+\/){2,}[\w.@+-]*/g, "$1<path>");
}

function tsllmAnswer(err: TsllmError): ErrorAnswer {
  const param = (err as { param?: unknown }).param;
  return {
    status: err.status,
    message: withoutPaths(err.message),
    code: err.code,
    fault: err.fault,
    ...(typeof param === "string" ? { param } : {}),
  };
}

/** Maps anything thrown while handling a request to a status and message. */
export function errorAnswer(err: unknown, code?: string | number): ErrorAnswer {
  if (err instanceof TsllmError) return tsllmAnswer(err);
  const cause = (err as { cause?: unknown })?.cause;
  switch (code) {
    case "VALIDATION":
      return { status: 400, message: validationMessage(err) };
    case "PARSE":
      if (cause instanceof TsllmError) return tsllmAnswer(cause);
      return { status: 400, message: "invalid request body" };
    case "NOT_FOUND":
      return { status: 404, message: "404 page not found" };
    case "INVALID_COOKIE_SIGNATURE":
    case "INVALID_FILE_TYPE":
      return { status: 400, message: (err as Error).message };
  }
  if ((err as Error)?.name === "AbortError") return { status: 499, message: "request canceled" };
  // Last resort for filesystem errors no layer re-worded: their messages embed absolute paths.
  const fs = storageError(err, "complete the request");
  if (fs instanceof TsllmError) return tsllmAnswer(fs);
  return { status: 500, message: withoutPaths((err as Error)?.message || String(err)) };
}

/** How one API family writes an error body (Ollama's `{"error": …}`, OpenAI's, Anthropic's). */
export type ErrorBody = (a: ErrorAnswer) => unknown;

/** Ollama's error body. */
export const ollamaErrorBody: ErrorBody = (a) => ({ error: a.message });

/** The JSON error response in `body`'s shape (Ollama's by default); server faults (500) are logged. */
export function errorResponse(
  err: unknown,
  code: string | number | undefined,
  logger?: Logger,
  body: ErrorBody = ollamaErrorBody,
): Response {
  const a = errorAnswer(err, code);
  if (a.status === 500) logFailure(logger, "request failed", a);
  return Response.json(body(a), { status: a.status });
}

/** Logs a 5xx answer: tsllm's own faults as errors, another system's failure (a registry) as a warning. */
export function logFailure(logger: Logger | undefined, msg: string, a: ErrorAnswer): void {
  if (a.fault === false) logger?.warn(msg, { status: a.status, error: a.message });
  else logger?.error(msg, { status: a.status, error: a.message });
}
