/**
 * /v1/messages on the wire: the server-sent event framing, the JSON answer's fields, Anthropic's headers,
 * null fields, and Anthropic's error shape and statuses for client mistakes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Json, models, startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  await s.createFrom("tiny", await models.chat());
});
afterAll(() => s.stop());

const hello = [{ role: "user", content: "Say hello." }];
const base = { model: "tiny", max_tokens: 4, temperature: 0, top_k: 1, messages: hello };

/** POSTs to /v1/messages (or a path under it) with Anthropic's headers. */
function post(body: unknown, path = "/v1/messages", headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${s.url}${path}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: {
      "content-type": "application/json",
      "x-api-key": "sk-ant-test",
      "anthropic-version": "2023-06-01",
      ...headers,
    },
  });
}

/** The status and Anthropic error of a refused request. */
async function refused(r: Response): Promise<{ status: number; type: string; message: string }> {
  const body = (await r.json()) as Json;
  expect(Object.keys(body).sort()).toEqual(["error", "type"]);
  expect(body.type).toBe("error");
  return { status: r.status, type: body.error.type, message: body.error.message };
}

/** Server-sent events as [event name, parsed data] pairs. */
function parseEvents(text: string): [string, Json][] {
  return text
    .split("\n\n")
    .filter((f) => f.trim())
    .map((frame) => {
      const lines = frame.split("\n");
      expect(lines.length).toBe(2);
      expect(lines[0]).toStartWith("event: ");
      expect(lines[1]).toStartWith("data: ");
      return [(lines[0] as string).slice(7), JSON.parse((lines[1] as string).slice(6))];
    });
}

describe("/v1/messages on the wire", () => {
  test("stream: each frame is `event: <type>` and its data; ping after message_start; message_stop last", async () => {
    const r = await post({ ...base, stream: true }, "/v1/messages?beta=true", {
      "anthropic-beta": "interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14",
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/event-stream");
    const events = parseEvents(await r.text());
    for (const [name, data] of events) expect(data.type).toBe(name);
    expect(events.map(([n]) => n).slice(0, 3)).toEqual(["message_start", "ping", "content_block_start"]);
    expect(events.map(([n]) => n).slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    const start = events[0]?.[1] as Json;
    expect(start.message).toMatchObject({ type: "message", role: "assistant", model: "tiny", content: [] });
    const delta = events.at(-2)?.[1] as Json;
    expect(delta.delta).toEqual({ stop_reason: "max_tokens", stop_sequence: null, stop_details: null });
    expect(delta.usage.output_tokens).toBe(4);
    expect(delta.usage.input_tokens).toBeGreaterThan(0);
  });

  test("JSON answer: Anthropic's message fields and usage", async () => {
    const r = await post(base);
    expect(r.status).toBe(200);
    const m = (await r.json()) as Json;
    expect(Object.keys(m).sort()).toEqual([
      "container",
      "content",
      "id",
      "model",
      "role",
      "stop_details",
      "stop_reason",
      "stop_sequence",
      "type",
      "usage",
    ]);
    expect(m.content).toEqual([{ type: "text", text: expect.any(String), citations: null }]);
    expect(m.usage).toEqual({
      input_tokens: expect.any(Number),
      output_tokens: 4,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      service_tier: "standard",
    });
  });

  test("a stop sequence that ends the answer is stop_reason stop_sequence, naming it", async () => {
    const free = (await (await post({ ...base, max_tokens: 16 })).json()) as Json;
    const text = free.content[0].text as string;
    // A piece of the greedy answer from its middle: the same request with it as a stop sequence ends there.
    const stop = text
      .slice(Math.floor(text.length / 2))
      .trim()
      .slice(0, 3);
    expect(stop.length).toBeGreaterThan(0);
    const r = (await (
      await post({ ...base, max_tokens: 16, stop_sequences: ["\u0000never", stop] })
    ).json()) as Json;
    expect(r.stop_reason).toBe("stop_sequence");
    expect(r.stop_sequence).toBe(stop);
    expect(r.content[0]?.text ?? "").toBe(text.slice(0, text.indexOf(stop)));
  });

  test("null fields count as unset, unknown fields are ignored", async () => {
    const r = await post({
      ...base,
      system: null,
      tools: null,
      tool_choice: null,
      thinking: null,
      stop_sequences: null,
      metadata: { user_id: null },
      service_tier: "auto",
      messages: [
        { role: "user", content: [{ type: "text", text: "Hi", cache_control: null, citations: null }] },
      ],
    });
    expect(r.status).toBe(200);
  });

  test("count_tokens: {input_tokens}, equal to the answer's input_tokens", async () => {
    const counted = (await (
      await post({ model: "tiny", messages: hello }, "/v1/messages/count_tokens")
    ).json()) as Json;
    expect(Object.keys(counted)).toEqual(["input_tokens"]);
    const m = (await (await post(base)).json()) as Json;
    expect(counted.input_tokens).toBe(m.usage.input_tokens);
  });
});

describe("/v1/messages errors: Anthropic's shape, never a 500 for a client mistake", () => {
  test("request mistakes are 400 invalid_request_error naming the field", async () => {
    const cases: [unknown, string][] = [
      ["", "missing request body"],
      ["{", "invalid JSON"],
      [{ model: "tiny", messages: hello }, "max_tokens"],
      [{ ...base, max_tokens: "4" }, "max_tokens"],
      [{ ...base, max_tokens: 0 }, "max_tokens"],
      [{ ...base, messages: "hi" }, "messages"],
      [{ ...base, messages: [] }, "messages: at least one message is required"],
      [
        { ...base, messages: [{ role: "user", content: [{ type: "text" }] }] },
        "messages.0.content.0.text: field required",
      ],
      [
        {
          ...base,
          messages: [
            { role: "user", content: [{ type: "image", source: { type: "url", url: "http://a/b.png" } }] },
          ],
        },
        'messages.0.content.0.source.type: image source "url" is not supported',
      ],
      [{ ...base, tools: [{ name: "f" }] }, "tools.0.input_schema: field required"],
      [{ ...base, thinking: { type: "enabled" } }, "thinking.budget_tokens: field required"],
      [{ ...base, model: "" }, "model is required"],
    ];
    for (const [body, message] of cases) {
      const e = await refused(await post(body));
      expect({ status: e.status, type: e.type, message: e.message }).toEqual({
        status: 400,
        type: "invalid_request_error",
        message: expect.stringContaining(message),
      });
    }
  });

  test("a capability the model lacks is a 400", async () => {
    const tools = [{ name: "f", input_schema: { type: "object" } }];
    const image = {
      type: "image",
      source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" },
    };
    for (const [body, message] of [
      [{ ...base, tools }, "does not support tools"],
      [{ ...base, messages: [{ role: "user", content: [image] }] }, "does not support vision"],
    ] as const) {
      const e = await refused(await post(body));
      expect({ status: e.status, type: e.type }).toEqual({ status: 400, type: "invalid_request_error" });
      expect(e.message).toContain(message);
    }
  });

  test("unknown model: 404 not_found_error, streamed or not, and for count_tokens", async () => {
    for (const [body, path] of [
      [{ ...base, model: "nope" }, undefined],
      [{ ...base, model: "nope", stream: true }, undefined],
      [{ model: "nope", messages: hello }, "/v1/messages/count_tokens"],
    ] as const) {
      const e = await refused(await post(body, path));
      expect({ status: e.status, type: e.type }).toEqual({ status: 404, type: "not_found_error" });
      expect(e.message).toContain("nope");
    }
  });

  test("an unknown path under /v1/messages is a 404 in Anthropic's shape", async () => {
    const e = await refused(await post(base, "/v1/messages/batches"));
    expect({ status: e.status, type: e.type }).toEqual({ status: 404, type: "not_found_error" });
  });
});
