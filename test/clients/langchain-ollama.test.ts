/**
 * @langchain/ollama, unchanged, against a real server: ChatOllama invoke, stream, structured output (json-schema
 * method), tool calls and their round trip, and OllamaEmbeddings.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  AIMessage,
  type AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { ChatOllama, OllamaEmbeddings } from "@langchain/ollama";
import { GREEDY, type TestServer } from "../api/helpers.ts";
import {
  CHAT_MODEL,
  cosine,
  EMBED_MODEL,
  FORECAST_SCHEMA,
  Forecast,
  fetchWithToolChoice,
  schemaErrors,
  startClientServer,
  WEATHER_PARAMETERS,
  WEATHER_QUESTION,
  WEATHER_SYSTEM,
  WeatherArgs,
} from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  s = await startClientServer();
});
afterAll(() => s.stop());

/** Room for one complete weather call in Qwen's <tool_call> syntax. */
const TOOL_TOKENS = 96;

function chatModel(numPredict: number, fetch?: typeof globalThis.fetch): ChatOllama {
  return new ChatOllama({
    model: CHAT_MODEL,
    baseUrl: s.url,
    temperature: GREEDY.temperature,
    seed: GREEDY.seed,
    repeatPenalty: GREEDY.repeat_penalty,
    numPredict,
    ...(fetch ? { fetch } : {}),
  });
}

const weather = tool(async () => "21 degrees", {
  name: "get_weather",
  description: "Current weather in a city",
  schema: WeatherArgs,
});

const conversation = (): BaseMessage[] => [
  new SystemMessage(WEATHER_SYSTEM),
  new HumanMessage(WEATHER_QUESTION),
];

function expectWeatherCalls(m: AIMessage | AIMessageChunk) {
  expect(m.tool_calls?.length).toBeGreaterThan(0);
  for (const c of m.tool_calls ?? []) {
    expect(c.name).toBe("get_weather");
    expect(typeof c.id).toBe("string");
    expect(schemaErrors(WEATHER_PARAMETERS, c.args)).toEqual([]);
  }
  expect(m.invalid_tool_calls ?? []).toEqual([]);
}

describe("@langchain/ollama ChatOllama", () => {
  test("invoke: an AIMessage with text, usage and Ollama's response metadata", async () => {
    const m = await chatModel(8).invoke(conversation());
    expect(m).toBeInstanceOf(AIMessage);
    expect(typeof m.content).toBe("string");
    expect(m.tool_calls).toEqual([]);
    expect(m.response_metadata.model).toBe(CHAT_MODEL);
    expect(m.response_metadata.done).toBe(true);
    expect(["stop", "length"]).toContain(m.response_metadata.done_reason as string);
    expect(m.usage_metadata?.input_tokens).toBeGreaterThan(0);
    expect(m.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(m.usage_metadata?.output_tokens).toBeLessThanOrEqual(8);
  });

  test("stream: the chunks add up to the invoked reply", async () => {
    const model = chatModel(8);
    const whole = await model.invoke(conversation());
    let text = "";
    let chunks = 0;
    for await (const c of await model.stream(conversation())) {
      expect(typeof c.content).toBe("string");
      text += c.content as string;
      chunks++;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(text).toBe(whole.content as string);
  });

  test("withStructuredOutput (jsonSchema method): a parsed object that satisfies the schema", async () => {
    const structured = chatModel(256).withStructuredOutput(Forecast);
    const out = await structured.invoke([new HumanMessage("Give a forecast for Paris as JSON.")]);
    expect(schemaErrors(FORECAST_SCHEMA, out)).toEqual([]);
  });

  test("bindTools: a forced call becomes AIMessage.tool_calls with schema-valid args", async () => {
    const model = chatModel(TOOL_TOKENS, fetchWithToolChoice("required")).bindTools([weather]);
    const m = await model.invoke(conversation());
    expectWeatherCalls(m);
    expect(m.content).toBe("");
  });

  test("bindTools: streamed tool-call chunks concatenate into the call", async () => {
    const model = chatModel(
      TOOL_TOKENS,
      fetchWithToolChoice({ type: "function", function: { name: "get_weather" } }),
    ).bindTools([weather]);
    let merged: AIMessageChunk | undefined;
    for await (const c of await model.stream(conversation())) merged = merged ? merged.concat(c) : c;
    expect(merged).toBeDefined();
    expectWeatherCalls(merged as AIMessageChunk);
    expect(merged?.content).toBe("");
  });

  test("tool round trip: the AIMessage's calls and a ToolMessage sent back reach the prompt", async () => {
    const forcedModel = chatModel(TOOL_TOKENS, fetchWithToolChoice("required")).bindTools([weather]);
    const call = await forcedModel.invoke(conversation());
    expectWeatherCalls(call);
    const first = call.tool_calls?.[0];
    const result = await weather.invoke(first as never);
    expect(result).toBeInstanceOf(ToolMessage);
    const model = chatModel(4).bindTools([weather]);
    const before = await model.invoke(conversation());
    const after = await model.invoke([...conversation(), call, result]);
    expect(after).toBeInstanceOf(AIMessage);
    expect(after.usage_metadata?.input_tokens).toBeGreaterThan(before.usage_metadata?.input_tokens ?? 0);
  });
});

describe("@langchain/ollama OllamaEmbeddings", () => {
  test("embedDocuments and embedQuery: one vector per text, consistent", async () => {
    const e = new OllamaEmbeddings({ model: EMBED_MODEL, baseUrl: s.url });
    const docs = await e.embedDocuments(["hello world", "good night moon"]);
    expect(docs.length).toBe(2);
    const [a, b] = docs as [number[], number[]];
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBe(a.length);
    for (const x of [...a, ...b]) expect(Number.isFinite(x)).toBe(true);
    const q = await e.embedQuery("hello world");
    expect(q.length).toBe(a.length);
    expect(cosine(q, a)).toBeGreaterThan(0.9999);
  });
});
