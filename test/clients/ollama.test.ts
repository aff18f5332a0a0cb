/** The `ollama` npm client, unchanged, against a real server: chat, stream, structured output, tool calls, embeddings. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ChatRequest, ChatResponse, Message, Tool, ToolCall } from "ollama";
import type { TestServer } from "../api/helpers.ts";
import {
  CHAT_MODEL,
  cosine,
  EMBED_MODEL,
  FORECAST_SCHEMA,
  sampling,
  schemaErrors,
  startClientServer,
  WEATHER_CHAT,
  WEATHER_PARAMETERS,
} from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  s = await startClientServer();
});
afterAll(() => s.stop());

const WEATHER_TOOL: Tool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather in a city",
    parameters: WEATHER_PARAMETERS as Tool["function"]["parameters"],
  },
};

/** Room for one complete weather call in Qwen's <tool_call> syntax. */
const TOOL_TOKENS = 96;

/** tsllm's extension to /api/chat: force a tool call (the client passes unknown fields through as sent). */
function forced<T extends ChatRequest>(req: T, choice: unknown = "required"): T {
  return { ...req, tool_choice: choice };
}

async function collect(req: ChatRequest): Promise<ChatResponse[]> {
  const chunks: ChatResponse[] = [];
  for await (const c of await s.client.chat({ ...req, stream: true })) chunks.push(c);
  return chunks;
}

function expectFinal(r: ChatResponse, maxTokens: number) {
  expect(r.done).toBe(true);
  expect(["stop", "length"]).toContain(r.done_reason);
  expect(r.eval_count).toBeGreaterThan(0);
  expect(r.eval_count).toBeLessThanOrEqual(maxTokens);
  expect(r.prompt_eval_count).toBeGreaterThan(0);
  for (const d of [r.total_duration, r.load_duration, r.prompt_eval_duration, r.eval_duration])
    expect(Number.isInteger(d)).toBe(true);
}

function expectWeatherCall(calls: ToolCall[] | undefined) {
  expect(calls?.length).toBeGreaterThan(0);
  for (const c of calls ?? []) {
    expect(c.function.name).toBe("get_weather");
    expect(schemaErrors(WEATHER_PARAMETERS, c.function.arguments)).toEqual([]);
  }
}

describe("ollama npm client", () => {
  test("chat: one assistant message with Ollama's final fields", async () => {
    const r = await s.client.chat({ model: CHAT_MODEL, messages: WEATHER_CHAT, options: sampling(8) });
    expect(r.model).toBe(CHAT_MODEL);
    expect(Number.isNaN(Date.parse(String(r.created_at)))).toBe(false);
    expect(r.message.role).toBe("assistant");
    expect(typeof r.message.content).toBe("string");
    expect(r.message.tool_calls).toBeUndefined();
    expectFinal(r, 8);
  });

  test("stream: pieces then one done chunk; the pieces add up to the non-streamed reply", async () => {
    const req = { model: CHAT_MODEL, messages: WEATHER_CHAT, options: sampling(8) };
    const chunks = await collect(req);
    const last = chunks.at(-1) as ChatResponse;
    for (const c of chunks.slice(0, -1)) {
      expect(c.done).toBe(false);
      expect(c.message.role).toBe("assistant");
    }
    expectFinal(last, 8);
    const whole = await s.client.chat({ ...req, stream: false });
    expect(chunks.map((c) => c.message.content).join("")).toBe(whole.message.content);
  });

  test("format: a JSON schema constrains the reply to a conforming document", async () => {
    const r = await s.client.chat({
      model: CHAT_MODEL,
      messages: [{ role: "user", content: "Give a forecast for Paris as JSON." }],
      format: FORECAST_SCHEMA,
      options: sampling(256),
    });
    expect(r.done_reason).toBe("stop");
    expect(schemaErrors(FORECAST_SCHEMA, JSON.parse(r.message.content))).toEqual([]);
  });

  test("format: a streamed schema-constrained reply parses once joined", async () => {
    const chunks = await collect({
      model: CHAT_MODEL,
      messages: [{ role: "user", content: "Give a forecast for Oslo as JSON." }],
      format: FORECAST_SCHEMA,
      options: sampling(256),
    });
    const text = chunks.map((c) => c.message.content).join("");
    expect(schemaErrors(FORECAST_SCHEMA, JSON.parse(text))).toEqual([]);
  });

  test('format: "json" gives a JSON document', async () => {
    const r = await s.client.chat({
      model: CHAT_MODEL,
      messages: [{ role: "user", content: "Reply in JSON." }],
      format: "json",
      options: sampling(64),
    });
    expect(r.done_reason).toBe("stop");
    expect(() => JSON.parse(r.message.content)).not.toThrow();
  });

  test("tools: a forced call comes back as message.tool_calls with schema-valid arguments", async () => {
    const r = await s.client.chat(
      forced({
        model: CHAT_MODEL,
        messages: WEATHER_CHAT,
        tools: [WEATHER_TOOL],
        options: sampling(TOOL_TOKENS),
      }),
    );
    expect(r.message.role).toBe("assistant");
    expectWeatherCall(r.message.tool_calls);
    // A forced reply is calls only: no tool-call markup (even of an unfinished call) leaks into content.
    expect(r.message.content).toBe("");
    // A parallel-calls grammar lets a random-weight model go on calling, so done_reason may be "length".
    expect(r.done).toBe(true);
  });

  test("tools: a call forced by name, streamed, arrives in the chunks before done", async () => {
    const chunks = await collect(
      forced(
        { model: CHAT_MODEL, messages: WEATHER_CHAT, tools: [WEATHER_TOOL], options: sampling(TOOL_TOKENS) },
        { type: "function", function: { name: "get_weather" } },
      ),
    );
    expect(chunks.at(-1)?.done).toBe(true);
    expectWeatherCall(chunks.flatMap((c) => c.message.tool_calls ?? []));
    expect(chunks.map((c) => c.message.content).join("")).toBe("");
  });

  test("tools: the call and its result sent back reach the prompt", async () => {
    const req = { model: CHAT_MODEL, tools: [WEATHER_TOOL], options: sampling(4) };
    const first = await s.client.chat(
      forced({ ...req, messages: WEATHER_CHAT, options: sampling(TOOL_TOKENS) }),
    );
    expectWeatherCall(first.message.tool_calls);
    const history: Message[] = [
      ...WEATHER_CHAT,
      { role: "assistant", content: "", tool_calls: first.message.tool_calls },
      { role: "tool", content: '{"temperature": 21, "sky": "clear"}', tool_name: "get_weather" },
    ];
    const before = await s.client.chat({ ...req, messages: WEATHER_CHAT });
    const after = await s.client.chat({ ...req, messages: history });
    expect(after.message.role).toBe("assistant");
    expectFinal(after, 4);
    expect(after.prompt_eval_count).toBeGreaterThan(before.prompt_eval_count);
  });

  test("embed: one vector per input, same dimension, deterministic", async () => {
    const r = await s.client.embed({ model: EMBED_MODEL, input: ["hello world", "good night moon"] });
    expect(r.model).toBe(EMBED_MODEL);
    expect(r.embeddings.length).toBe(2);
    const [a, b] = r.embeddings as [number[], number[]];
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBe(a.length);
    for (const x of [...a, ...b]) expect(Number.isFinite(x)).toBe(true);
    const again = await s.client.embed({ model: EMBED_MODEL, input: "hello world" });
    expect(cosine(again.embeddings[0] as number[], a)).toBeGreaterThan(0.9999);
  });
});
