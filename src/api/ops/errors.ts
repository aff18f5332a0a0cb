/** Errors the operations layer answers with. */
import { TsllmError } from "../../errors.ts";

/** The server is draining for shutdown and takes no new requests: HTTP 503. */
export class ServerShuttingDownError extends TsllmError {
  constructor() {
    super("server is shutting down", { code: "shutting_down", status: 503 });
  }
}
