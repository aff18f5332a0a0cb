/**
 * Request limit violations: each names the limit and the setting that sets it, so a client (or its operator)
 * knows what to change. Sizes are 413, counts and nesting 400, a stalled body 408.
 */
import { TsllmError } from "../../errors.ts";
import { LIMIT_SETTING } from "./settings.ts";
import { durationText, sizeText } from "./units.ts";

/** A body larger than TSLLM_MAX_BODY (413); `size` when Content-Length declared it. */
export class BodyTooLargeError extends TsllmError {
  constructor(limit: number, size?: number) {
    const is = size === undefined ? "request body is larger" : `request body is ${sizeText(size)}, larger`;
    super(`${is} than the ${sizeText(limit)} limit (${LIMIT_SETTING.maxBody})`, {
      code: "request_too_large",
      status: 413,
    });
  }
}

/** A body that paused longer than TSLLM_BODY_TIMEOUT between two chunks (408). */
export class BodyTimeoutError extends TsllmError {
  constructor(timeoutMs: number) {
    super(`request body not received within ${durationText(timeoutMs)} (${LIMIT_SETTING.bodyTimeoutMs})`, {
      code: "request_timeout",
      status: 408,
    });
  }
}

/** JSON nested deeper than TSLLM_MAX_JSON_DEPTH (400). */
export class JsonTooDeepError extends TsllmError {
  constructor(limit: number) {
    super(`JSON nesting deeper than ${limit} levels (${LIMIT_SETTING.maxJsonDepth})`, {
      code: "json_too_deep",
      status: 400,
    });
  }
}

/** A text field (prompt, message content, embedding input…) larger than TSLLM_MAX_PROMPT (413). */
export class TextTooLargeError extends TsllmError {
  /** The request field, as the client's API names it, when it can be named. */
  readonly param?: string;

  constructor(what: string, size: number, limit: number, param?: string) {
    super(
      `${what} is ${sizeText(size)}, larger than the ${sizeText(limit)} limit (${LIMIT_SETTING.maxPrompt})`,
      {
        code: "request_too_large",
        status: 413,
      },
    );
    if (param !== undefined) this.param = param;
  }
}

/** More images than TSLLM_MAX_IMAGES in one request (400). */
export class TooManyImagesError extends TsllmError {
  constructor(count: number, limit: number) {
    super(`request has ${count} images, more than the limit of ${limit} (${LIMIT_SETTING.maxImages})`, {
      code: "too_many_images",
      status: 400,
    });
  }
}

/** An image whose decoded size is larger than TSLLM_MAX_IMAGE_SIZE (413). */
export class ImageTooLargeError extends TsllmError {
  /** The request field, as the client's API names it, when it can be named. */
  readonly param?: string;

  constructor(what: string, size: number, limit: number, param?: string) {
    super(
      `${what} is ${sizeText(size)} decoded, larger than the ${sizeText(limit)} limit (${LIMIT_SETTING.maxImageSize})`,
      { code: "request_too_large", status: 413 },
    );
    if (param !== undefined) this.param = param;
  }
}

/** A parse worker that died while parsing a body (a server fault, 500). */
export class ParseWorkerError extends TsllmError {
  constructor(why: string) {
    super(`JSON parse worker failed: ${why}`, { code: "parse_worker_failed", status: 500 });
  }
}
