/**
 * The official `openai` SDK, unchanged, against tsllm's /v1: chat (plain, streamed with usage, structured,
 * tool calls and results), embeddings, models, completions, the Responses API (plain, streamed through
 * the SDK's own accumulator, previous_response_id, function calls) and errors as the SDK's classes.
 * Models: Qwen2.5's real template (tools), a plain tiny model, the embedding model, and the tiny weights
 * with a Go template that opens a <think> block when asked (a random model's output is then all thinking).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionTool } from "openai/resources/chat/completions";
import type { TestServer } from "../api/helpers.ts";
import {
  CHAT_MODEL,
  cosine,
  EMBED_MODEL,
  FORECAST_SCHEMA,
  schemaErrors,
  startClientServer,
  WEATHER_CHAT,
  WEATHER_PARAMETERS,
} from "./helpers.ts";

let s: TestServer;
let client: OpenAI;

beforeAll(async () => {
  s = await startClientServer("tiny", "thinker");
  client = new OpenAI({ apiKey: "unused", baseURL: `${s.url}/v1`, maxRetries: 0 });
});
afterAll(() => s.stop());

const greedy = { temperature: 0, seed: 1 };
const hello = [{ role: "user" as const, content: "Say hello." }];

const WEATHER_TOOL: ChatCompletionTool = {
  type: "function",
  function: { name: "get_weather", description: "Current weather in a city", parameters: WEATHER_PARAMETERS },
};

describe("chat completions", () => {
  test("create answers with text, finish_reason and usage", async () => {
    const c = await client.chat.completions.create({
      model: "tiny",
      messages: hello,
      max_tokens: 5,
      ...greedy,
    });
    expect(c.object).toBe("chat.completion");
    expect(c.choices[0]?.message.role).toBe("assistant");
    expect(c.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(c.choices[0]?.finish_reason).toBe("length");
    expect(c.usage?.completion_tokens).toBe(5);
  });

  test("a stream with include_usage ends with a usage chunk; the SDK's stream helper accumulates it", async () => {
    const body = { model: "tiny", messages: hello, max_tokens: 5, ...greedy };
    const chunks: ChatCompletionChunk[] = [];
    const stream = await client.chat.completions.create({
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const c of stream) chunks.push(c);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(5);
    expect(chunks.at(-1)?.choices).toEqual([]);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    const runner = client.chat.completions.stream(body);
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe(text);
    expect(final.choices[0]?.finish_reason).toBe("length");
  });

  test("json_schema structured output parses and validates", async () => {
    const c = await client.chat.completions.create({
      model: CHAT_MODEL,
      messages: [{ role: "user", content: "Forecast for Oslo as JSON." }],
      response_format: {
        type: "json_schema",
        json_schema: { name: "forecast", schema: FORECAST_SCHEMA, strict: true },
      },
      max_tokens: 120,
      ...greedy,
    });
    expect(c.choices[0]?.finish_reason).toBe("stop");
    const value = JSON.parse(c.choices[0]?.message.content ?? "");
    expect(schemaErrors(FORECAST_SCHEMA, value)).toEqual([]);
  });

  test("tool_choice required makes a tool call whose arguments fit the schema; the result is accepted back", async () => {
    const c = await client.chat.completions.create({
      model: CHAT_MODEL,
      messages: WEATHER_CHAT,
      tools: [WEATHER_TOOL],
      tool_choice: "required",
      parallel_tool_calls: false,
      max_tokens: 80,
      ...greedy,
    });
    const choice = c.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const calls = choice?.message.tool_calls ?? [];
    expect(calls.length).toBeGreaterThan(0);
    const call = calls[0];
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("get_weather");
    expect(schemaErrors(WEATHER_PARAMETERS, JSON.parse(call.function.arguments))).toEqual([]);
    const next = await client.chat.completions.create({
      model: CHAT_MODEL,
      messages: [
        ...WEATHER_CHAT,
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: '{"temperature": 21}' },
      ],
      tools: [WEATHER_TOOL],
      max_tokens: 3,
      ...greedy,
    });
    expect(next.usage?.prompt_tokens).toBeGreaterThan(c.usage?.prompt_tokens ?? 0);
  });

  test("a streamed tool call arrives as tool_calls deltas", async () => {
    const stream = await client.chat.completions.create({
      model: CHAT_MODEL,
      messages: WEATHER_CHAT,
      tools: [WEATHER_TOOL],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      parallel_tool_calls: false,
      max_tokens: 80,
      stream: true,
      ...greedy,
    });
    const deltas: ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const c of stream) {
      deltas.push(...(c.choices[0]?.delta.tool_calls ?? []));
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe("tool_calls");
    expect(deltas[0]?.function?.name).toBe("get_weather");
    expect(deltas[0]?.index).toBe(0);
  });

  test("reasoning_effort turns thinking on; it comes back as reasoning_content", async () => {
    const c = await client.chat.completions.create({
      model: "thinker",
      messages: hello,
      reasoning_effort: "high",
      max_tokens: 6,
      ...greedy,
    });
    const message = c.choices[0]?.message as unknown as Record<string, unknown>;
    expect(typeof message.reasoning_content).toBe("string");
    expect((message.reasoning_content as string).length).toBeGreaterThan(0);
    expect(message.reasoning).toBe(message.reasoning_content);
  });
});

describe("embeddings, models, completions", () => {
  test("embeddings of a batch are unit vectors; one input alone gives the same vector", async () => {
    const e = await client.embeddings.create({ model: EMBED_MODEL, input: ["a cat", "a dog"] });
    expect(e.data).toHaveLength(2);
    const one = await client.embeddings.create({ model: EMBED_MODEL, input: "a cat" });
    expect(cosine(e.data[0]?.embedding ?? [], one.data[0]?.embedding ?? [])).toBeCloseTo(1, 4);
    // The SDK asks for base64 by default and decodes it; a float request gives the same numbers.
    const floats = await client.embeddings.create({
      model: EMBED_MODEL,
      input: "a cat",
      encoding_format: "float",
    });
    expect(cosine(floats.data[0]?.embedding ?? [], one.data[0]?.embedding ?? [])).toBeCloseTo(1, 5);
  });

  test("models list and retrieve", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain("tiny:latest");
    const m = await client.models.retrieve("tiny");
    expect(m).toMatchObject({ id: "tiny", object: "model", owned_by: "library" });
  });

  test("legacy completions", async () => {
    const c = await client.completions.create({
      model: "tiny",
      prompt: "Once upon a time",
      max_tokens: 4,
      ...greedy,
    });
    expect(c.choices[0]?.text.length).toBeGreaterThan(0);
    expect(c.usage?.completion_tokens).toBe(4);
  });
});

describe("responses", () => {
  test("create, then continue with previous_response_id", async () => {
    const r = await client.responses.create({
      model: "tiny",
      input: "Hello",
      max_output_tokens: 4,
      ...greedy,
    });
    expect(r.id).toMatch(/^resp_/);
    expect(r.status).toBe("incomplete");
    expect(r.output_text.length).toBeGreaterThan(0);
    const next = await client.responses.create({
      model: "tiny",
      input: "And then?",
      previous_response_id: r.id,
      max_output_tokens: 4,
      ...greedy,
    });
    expect(next.previous_response_id).toBe(r.id);
    expect(next.usage?.input_tokens).toBeGreaterThan((r.usage?.input_tokens ?? 0) + 4);
    const again = await client.responses.retrieve(next.id);
    expect(again.output_text).toBe(next.output_text);
  });

  test("the stream passes the SDK's accumulator and matches the plain answer", async () => {
    const body = {
      model: "tiny",
      input: "Hello",
      instructions: "Be brief.",
      max_output_tokens: 5,
      ...greedy,
    };
    const plain = await client.responses.create(body);
    const stream = client.responses.stream(body);
    const types: string[] = [];
    for await (const e of stream) types.push(e.type);
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(plain.output_text);
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.at(-1)).toBe("response.incomplete");
  });

  test("a function call, and its output sent back as an input item", async () => {
    const tool = {
      type: "function" as const,
      name: "get_weather",
      parameters: WEATHER_PARAMETERS,
      strict: true,
    };
    const r = await client.responses.create({
      model: CHAT_MODEL,
      input: WEATHER_CHAT,
      tools: [tool],
      tool_choice: "required",
      parallel_tool_calls: false,
      max_output_tokens: 80,
      ...greedy,
    });
    const call = r.output.find((o) => o.type === "function_call");
    if (call?.type !== "function_call") throw new Error("expected a function_call item");
    expect(schemaErrors(WEATHER_PARAMETERS, JSON.parse(call.arguments))).toEqual([]);
    const next = await client.responses.create({
      model: CHAT_MODEL,
      previous_response_id: r.id,
      input: [{ type: "function_call_output", call_id: call.call_id, output: '{"temperature": 21}' }],
      tools: [tool],
      max_output_tokens: 3,
      ...greedy,
    });
    expect(next.usage?.input_tokens).toBeGreaterThan(r.usage?.input_tokens ?? 0);
  });
});

describe("errors", () => {
  test("an unknown model is the SDK's NotFoundError", async () => {
    const e = await client.chat.completions
      .create({ model: "nope", messages: hello })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OpenAI.NotFoundError);
    expect((e as InstanceType<typeof OpenAI.NotFoundError>).type).toBe("not_found_error");
  });

  test("bad parameters are the SDK's BadRequestError", async () => {
    const calls: (() => Promise<unknown>)[] = [
      () => client.chat.completions.create({ model: "tiny", messages: hello, n: 2 }),
      () => client.chat.completions.create({ model: "tiny", messages: hello, temperature: 5 }),
      () => client.embeddings.create({ model: EMBED_MODEL, input: [] }),
      () => client.responses.create({ model: "tiny", input: "x", previous_response_id: "resp_unknown" }),
    ];
    for (const call of calls) {
      const e = await call().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(OpenAI.BadRequestError);
      expect((e as InstanceType<typeof OpenAI.BadRequestError>).type).toBe("invalid_request_error");
    }
  });
});
