/**
 * The Vercel AI SDK (`ai` with `@ai-sdk/openai-compatible`), unchanged, against tsllm's /v1: generateText,
 * streamText (with usage), structured output through Output.object (json_schema), and a forced tool call.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, jsonSchema, Output, streamText, tool } from "ai";
import type { TestServer } from "../api/helpers.ts";
import {
  CHAT_MODEL,
  Forecast,
  schemaErrors,
  startClientServer,
  WEATHER_CHAT,
  WEATHER_PARAMETERS,
} from "./helpers.ts";

let s: TestServer;
let provider: ReturnType<typeof createOpenAICompatible>;

beforeAll(async () => {
  s = await startClientServer("tiny");
  provider = createOpenAICompatible({
    name: "tsllm",
    baseURL: `${s.url}/v1`,
    apiKey: "unused",
    includeUsage: true,
    supportsStructuredOutputs: true,
  });
});
afterAll(() => s.stop());

const greedy = { temperature: 0, seed: 1, maxRetries: 0 };

describe("AI SDK, OpenAI-compatible provider", () => {
  test("generateText returns text, finish reason and usage", async () => {
    const r = await generateText({
      model: provider("tiny"),
      instructions: "Be brief.",
      prompt: "Say hello.",
      maxOutputTokens: 5,
      ...greedy,
    });
    expect(r.text.length).toBeGreaterThan(0);
    expect(r.finishReason).toBe("length");
    expect(r.usage.outputTokens).toBe(5);
    expect(r.usage.inputTokens).toBeGreaterThan(0);
  });

  test("streamText streams the same text and reports usage", async () => {
    const args = { model: provider("tiny"), prompt: "Say hello.", maxOutputTokens: 5, ...greedy };
    const whole = await generateText(args);
    const r = streamText(args);
    let text = "";
    for await (const delta of r.textStream) text += delta;
    expect(text).toBe(whole.text);
    expect((await r.usage).outputTokens).toBe(5);
    expect(await r.finishReason).toBe("length");
  });

  test("Output.object generates a schema-valid object", async () => {
    const r = await generateText({
      model: provider(CHAT_MODEL),
      prompt: "Forecast for Oslo as JSON.",
      output: Output.object({ schema: Forecast }),
      maxOutputTokens: 120,
      ...greedy,
    });
    expect(Forecast.safeParse(r.output).success).toBe(true);
  });

  test("a tool call with toolChoice required", async () => {
    const r = await generateText({
      model: provider(CHAT_MODEL),
      instructions: WEATHER_CHAT[0]?.content,
      messages: WEATHER_CHAT.slice(1),
      tools: {
        get_weather: tool({
          description: "Current weather in a city",
          inputSchema: jsonSchema(WEATHER_PARAMETERS),
        }),
      },
      toolChoice: "required",
      providerOptions: { tsllm: { parallel_tool_calls: false } },
      maxOutputTokens: 80,
      ...greedy,
    });
    expect(r.finishReason).toBe("tool-calls");
    expect(r.toolCalls).toHaveLength(1);
    expect(r.toolCalls[0]?.toolName).toBe("get_weather");
    expect(schemaErrors(WEATHER_PARAMETERS, r.toolCalls[0]?.input)).toEqual([]);
  });
});
