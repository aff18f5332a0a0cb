/** Errors the scheduler raises itself (layout errors live in layout/errors.ts). */
import { TsllmError } from "../errors.ts";

/** Ollama's exact text for a full queue (two spaces after the period, as in its source). */
export const QUEUE_FULL_MESSAGE = "server busy, please try again.  maximum pending requests exceeded";

/** Too many requests are waiting: HTTP 503. */
export class QueueFullError extends TsllmError {
  constructor() {
    super(QUEUE_FULL_MESSAGE, { code: "queue_full", status: 503 });
  }
}

/** The caller aborted while its request was queued or its model loading. */
export class RequestCancelledError extends TsllmError {
  constructor() {
    super("request cancelled while waiting for the model", { code: "cancelled", status: 499 });
  }
}

/** The scheduler is shutting down and takes no more requests. */
export class SchedulerClosedError extends TsllmError {
  constructor() {
    super("server is shutting down", { code: "shutting_down", status: 503 });
  }
}
