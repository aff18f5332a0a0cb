/** A Responses-API response streamed as server-sent events. */
import type { CompletionEvent } from "../../../inference/index.ts";
import type { SseShape } from "../../sse.ts";
import { openaiErrorBody } from "../errors.ts";
import type { ResponseBuilder } from "./builder.ts";

/**
 * The streamed answer's shape for sseResponse: the opening events with the first item, `onDone` once the
 * response is complete, and a failure as the API's `error` event (which the SDKs raise as an APIError).
 */
export function responseEvents(b: ResponseBuilder, onDone: () => void): SseShape<CompletionEvent> {
  let started = false;
  return {
    map(e) {
      const out = started ? [] : b.start();
      started = true;
      out.push(...b.push(e));
      if (e.done) onDone();
      return out;
    },
    error: (a) => {
      const { error } = openaiErrorBody(a) as { error: Record<string, unknown> };
      return [b.ev("error", { code: error.code, message: error.message, param: error.param })];
    },
    errorBody: openaiErrorBody,
  };
}
