/**
 * The Vercel AI SDK (`ai`) with the `ollama-ai-provider-v2` provider, unchanged, against a real server:
 * generateText, streamText, structured output, tool calls forced with toolChoice, and embeddings.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  embed,
  embedMany,
  generateText,
  type ModelMessage,
  Output,
  streamText,
  type TextStreamPart,
  type ToolSet,
  tool,
} from "ai";
import { createOllama } from "ollama-ai-provider-v2";
import type { TestServer } from "../api/helpers.ts";
import {
  CHAT_MODEL,
  cosine,
  EMBED_MODEL,
  FORECAST_SCHEMA,
  Forecast,
  sampling,
  schemaErrors,
  startClientServer,
  WEATHER_QUESTION,
  WEATHER_SYSTEM,
  WEATHER_PARAMETERS,
  WeatherArgs,
} from "./helpers.ts";

let s: TestServer;
let ollama: ReturnType<typeof createOllama>;

beforeAll(async () => {
  // The provider warns (on the console) that seed and the like are unsupported; that is expected here.
  (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
  s = await startClientServer();
  ollama = createOllama({ baseURL: `${s.url}/api` });
});
afterAll(() => s.stop());

/** Room for one complete weather call in Qwen's <tool_call> syntax. */
const TOOL_TOKENS = 96;

// AI SDK 7 takes the system prompt as `instructions` (it refuses system messages in `messages`).
const WEATHER_ASK: ModelMessage[] = [{ role: "user", content: WEATHER_QUESTION }];

/**
 * Call settings for at most `n` tokens. The provider sends maxOutputTokens/temperature as top-level fields
 * (`max_output_tokens`, `temperature`) that Ollama ignores; its `options` provider option is what samples.
 */
function settings(n: number) {
  return {
    model: ollama(CHAT_MODEL),
    instructions: WEATHER_SYSTEM,
    maxOutputTokens: n,
    temperature: 0,
    maxRetries: 0,
    providerOptions: { ollama: { options: sampling(n) } },
  };
}

const tools = {
  get_weather: tool({ description: "Current weather in a city", inputSchema: WeatherArgs }),
} satisfies ToolSet;

type Calls = { toolName: string; input: unknown; toolCallId: string; invalid?: boolean }[];

function expectWeatherCalls(calls: Calls) {
  expect(calls.length).toBeGreaterThan(0);
  for (const c of calls) {
    expect(c.toolName).toBe("get_weather");
    expect(c.invalid).toBeFalsy();
    expect(typeof c.toolCallId).toBe("string");
    expect(schemaErrors(WEATHER_PARAMETERS, c.input)).toEqual([]);
  }
}

/** Every part of a streamText run; error parts fail the test with their error. */
async function drain<T extends ToolSet>(
  parts: AsyncIterable<TextStreamPart<T>>,
): Promise<TextStreamPart<T>[]> {
  const all: TextStreamPart<T>[] = [];
  for await (const p of parts) {
    if (p.type === "error") throw p.error;
    all.push(p);
  }
  return all;
}

describe("ai + ollama-ai-provider-v2", () => {
  test("generateText: text, finish reason and usage", async () => {
    const r = await generateText({ ...settings(8), messages: WEATHER_ASK });
    expect(typeof r.text).toBe("string");
    expect(["stop", "length"]).toContain(r.finishReason);
    expect(r.usage.inputTokens).toBeGreaterThan(0);
    expect(r.usage.outputTokens).toBeGreaterThan(0);
    expect(r.usage.outputTokens).toBeLessThanOrEqual(8);
    expect(r.toolCalls).toEqual([]);
  });

  test("streamText: the text deltas add up to the generated text", async () => {
    const whole = await generateText({ ...settings(8), messages: WEATHER_ASK });
    const r = streamText({ ...settings(8), messages: WEATHER_ASK });
    const parts = await drain(r.fullStream);
    const text = parts.map((p) => (p.type === "text-delta" ? p.text : "")).join("");
    expect(parts.filter((p) => p.type === "text-delta").length).toBeGreaterThan(1);
    expect(text).toBe(whole.text);
    expect(await r.finishReason).toBe(whole.finishReason);
    expect((await r.usage).inputTokens).toBeGreaterThan(0);
  });

  test("Output.object: generateText returns an object that satisfies the schema", async () => {
    const r = await generateText({
      ...settings(256),
      prompt: "Give a forecast for Paris as JSON.",
      output: Output.object({ schema: Forecast }),
    });
    expect(schemaErrors(FORECAST_SCHEMA, r.output)).toEqual([]);
  });

  test("Output.object: streamText's final output satisfies the schema", async () => {
    const r = streamText({
      ...settings(256),
      prompt: "Give a forecast for Oslo as JSON.",
      output: Output.object({ schema: Forecast }),
    });
    await drain(r.fullStream);
    expect(schemaErrors(FORECAST_SCHEMA, await r.output)).toEqual([]);
  });

  test("toolChoice by name: generateText returns a schema-valid tool call", async () => {
    const r = await generateText({
      ...settings(TOOL_TOKENS),
      messages: WEATHER_ASK,
      tools,
      toolChoice: { type: "tool", toolName: "get_weather" },
    });
    expectWeatherCalls(r.toolCalls);
    expect(r.text).toBe("");
    expect(r.finishReason).toBe("tool-calls");
  });

  test('toolChoice "required": streamText emits the tool call', async () => {
    const r = streamText({ ...settings(TOOL_TOKENS), messages: WEATHER_ASK, tools, toolChoice: "required" });
    const parts = await drain(r.fullStream);
    expect(parts.some((p) => p.type === "tool-call")).toBe(true);
    expectWeatherCalls(await r.toolCalls);
    expect(await r.text).toBe("");
    expect(await r.finishReason).toBe("tool-calls");
  });

  test("tool round trip: the call and its result sent back reach the prompt", async () => {
    const first = await generateText({
      ...settings(TOOL_TOKENS),
      messages: WEATHER_ASK,
      tools,
      toolChoice: "required",
    });
    expectWeatherCalls(first.toolCalls);
    const call = first.toolCalls[0] as Calls[number];
    const history: ModelMessage[] = [
      ...WEATHER_ASK,
      ...first.response.messages,
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: call.toolCallId,
            toolName: call.toolName,
            output: { type: "json", value: { temperature: 21, sky: "clear" } },
          },
        ],
      },
    ];
    const before = await generateText({ ...settings(4), messages: WEATHER_ASK, tools, toolChoice: "none" });
    const after = await generateText({ ...settings(4), messages: history, tools, toolChoice: "none" });
    expect(typeof after.text).toBe("string");
    expect(after.toolCalls).toEqual([]);
    expect(after.usage.inputTokens).toBeGreaterThan(before.usage.inputTokens ?? 0);
  });

  test("embed and embedMany: one vector per value, consistent", async () => {
    const model = ollama.embedding(EMBED_MODEL);
    const many = await embedMany({ model, values: ["hello world", "good night moon"], maxRetries: 0 });
    expect(many.embeddings.length).toBe(2);
    const [a, b] = many.embeddings as [number[], number[]];
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBe(a.length);
    for (const x of [...a, ...b]) expect(Number.isFinite(x)).toBe(true);
    const one = await embed({ model, value: "hello world", maxRetries: 0 });
    expect(one.embedding.length).toBe(a.length);
    expect(cosine(one.embedding, a)).toBeGreaterThan(0.9999);
  });
});
