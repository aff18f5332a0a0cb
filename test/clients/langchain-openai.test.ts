/**
 * LangChain's ChatOpenAI, unchanged, pointed at tsllm's /v1 through `configuration.baseURL`: invoke,
 * stream (with the usage LangChain asks for), withStructuredOutput (a zod schema, sent as json_schema) and
 * bindTools with tool_choice.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HumanMessage, SystemMessage, type AIMessageChunk } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import type { TestServer } from "../api/helpers.ts";
import {
  CHAT_MODEL,
  schemaErrors,
  startClientServer,
  WEATHER_CHAT,
  WEATHER_PARAMETERS,
  WeatherArgs,
} from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  s = await startClientServer("tiny");
});
afterAll(() => s.stop());

function chatModel(model: string, maxTokens: number) {
  return new ChatOpenAI({
    model,
    apiKey: "unused",
    temperature: 0,
    maxTokens,
    maxRetries: 0,
    modelKwargs: { seed: 1 },
    configuration: { baseURL: `${s.url}/v1` },
  });
}

const messages = [new SystemMessage("Be brief."), new HumanMessage("Say hello.")];

describe("ChatOpenAI", () => {
  test("invoke returns an AIMessage with token usage", async () => {
    const m = await chatModel("tiny", 5).invoke(messages);
    expect(typeof m.content).toBe("string");
    expect((m.content as string).length).toBeGreaterThan(0);
    expect(m.usage_metadata?.output_tokens).toBe(5);
    expect(m.response_metadata.finish_reason).toBe("length");
  });

  test("stream yields chunks that concatenate to the invoked text, with usage at the end", async () => {
    const model = chatModel("tiny", 5);
    const whole = await model.invoke(messages);
    let merged: AIMessageChunk | undefined;
    for await (const c of await model.stream(messages)) merged = merged ? merged.concat(c) : c;
    expect(merged?.content).toBe(whole.content);
    expect(merged?.usage_metadata?.output_tokens).toBe(5);
  });

  test("withStructuredOutput parses a zod schema's object (integer bounds included)", async () => {
    const Person = z.object({
      name: z.string().max(16),
      age: z.number().int().min(0).max(120),
      student: z.boolean(),
    });
    const structured = chatModel(CHAT_MODEL, 80).withStructuredOutput(Person, { name: "person" });
    const p = await structured.invoke([new HumanMessage("Describe a person as JSON.")]);
    expect(Person.safeParse(p).success).toBe(true);
    expect(Number.isInteger(p.age)).toBe(true);
    expect(p.age).toBeGreaterThanOrEqual(0);
    expect(p.age).toBeLessThanOrEqual(120);
  });

  test("bindTools with tool_choice makes a tool call LangChain parses", async () => {
    const weather = tool(async () => "21", {
      name: "get_weather",
      description: "Current weather in a city",
      schema: WeatherArgs,
    });
    const bound = chatModel(CHAT_MODEL, 80).bindTools([weather], {
      tool_choice: "get_weather",
      parallel_tool_calls: false,
    });
    const m = await bound.invoke(
      WEATHER_CHAT.map((x) =>
        x.role === "system" ? new SystemMessage(x.content) : new HumanMessage(x.content),
      ),
    );
    expect(m.tool_calls?.length).toBe(1);
    const call = m.tool_calls?.[0];
    expect(call?.name).toBe("get_weather");
    expect(schemaErrors(WEATHER_PARAMETERS, call?.args)).toEqual([]);
    expect(typeof call?.id).toBe("string");
    expect(m.response_metadata.finish_reason).toBe("tool_calls");
  });
});
