/**
 * Failures after an OpenAI stream started reach the client as the API's error event, and the official SDK
 * raises them as an APIError carrying the message (chat chunks and Responses events alike).
 */
import { describe, expect, test } from "bun:test";
import { APIError } from "openai";
import { Stream } from "openai/streaming";
import { QueueFullError } from "../../src/scheduler/errors.ts";
import { sseResponse } from "../../src/api/sse.ts";
import { chatChunks } from "../../src/api/openai/chat-output.ts";
import { ResponseBuilder } from "../../src/api/openai/responses/builder.ts";
import { responseEvents } from "../../src/api/openai/responses/stream.ts";
import type { CompletionEvent } from "../../src/inference/index.ts";

/** One piece of text, then a failure. */
async function* failing(err: Error): AsyncGenerator<CompletionEvent> {
  yield { done: false, content: "Hello" };
  throw err;
}

async function drain(r: Response): Promise<{ items: unknown[]; error: unknown }> {
  const items: unknown[] = [];
  try {
    for await (const x of Stream.fromSSEResponse(r, new AbortController())) items.push(x);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

describe("mid-stream failures", () => {
  test("a chat stream ends with an error the SDK raises", async () => {
    const r = await sseResponse(
      failing(new Error("runner crashed")),
      chatChunks({ id: "chatcmpl-x", created: 1, model: "m" }, false),
    );
    expect(r.status).toBe(200);
    const { items, error } = await drain(r);
    expect(items).toHaveLength(1);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain("runner crashed");
    expect((error as APIError).type).toBe("api_error");
  });

  test("a Responses stream ends with an error event the SDK raises", async () => {
    const b = new ResponseBuilder("resp_x", { model: "m" }, false);
    const r = await sseResponse(
      failing(new QueueFullError()),
      responseEvents(b, () => {}),
    );
    const { items, error } = await drain(r);
    expect((items as { type: string }[]).map((i) => i.type).slice(0, 2)).toEqual([
      "response.created",
      "response.in_progress",
    ]);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain("server busy");
  });

  test("a failure before the first item is a plain JSON error with its status", async () => {
    async function* early(): AsyncGenerator<CompletionEvent> {
      throw new QueueFullError();
    }
    const r = await sseResponse(early(), chatChunks({ id: "x", created: 1, model: "m" }, false));
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { type: string } }).error.type).toBe("rate_limit_error");
  });
});
