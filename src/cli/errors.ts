/** Errors of the CLI client: usage mistakes (exit 2), an unreachable server, and API error replies. */
import { TsllmError } from "../errors.ts";

/** A bad flag or argument count; the command prints it and exits 2. */
export class UsageError extends TsllmError {
  constructor(message: string) {
    super(message, { code: "usage", status: 400 });
  }
}

/** Nothing listens at the configured host. */
export class ServerUnreachableError extends TsllmError {
  constructor(host: string, cause?: unknown) {
    super(`could not connect to tsllm server at ${host}, is it running? (start it with \`tsllm serve\`)`, {
      code: "server_unreachable",
      status: 503,
      cause,
    });
  }
}

/** The server answered with an error (`{"error": …}` body or an error line in a stream). */
export class ApiError extends TsllmError {
  constructor(message: string, status: number) {
    super(message, { code: "api_error", status });
  }
}
