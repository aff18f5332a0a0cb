/**
 * The official Anthropic SDK against tsllm's /v1/messages: create, stream (the SDK's own accumulation),
 * structured output through a forced tool, tool calls and results, thinking, count_tokens and errors.
 * Models: a plain tiny model, the same weights with a Go template that opens a <think> block when asked
 * (all of a random model's output is then thinking), and Qwen2.5's real template for tools.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic, { type APIError } from "@anthropic-ai/sdk";
import type {
  Message,
  MessageCreateParamsNonStreaming,
  RawMessageStreamEvent,
} from "@anthropic-ai/sdk/resources/messages";
import { startServerWith, type TestServer } from "../api/helpers.ts";
import { FORECAST_SCHEMA, schemaErrors, WEATHER_PARAMETERS } from "./helpers.ts";

let s: TestServer;
let client: Anthropic;

beforeAll(async () => {
  s = await startServerWith(["tiny", "thinker", "qwen"]);
  client = new Anthropic({ apiKey: "test-key", baseURL: s.url, maxRetries: 0 });
});
afterAll(() => s.stop());

// Sampling fields newer SDK types no longer list; the API still takes them (deterministic output here).
const greedy = { temperature: 0, top_k: 1 } as object;
const hello = [{ role: "user" as const, content: "Say hello." }];
const WEATHER_TOOL = {
  name: "get_weather",
  description: "Current weather in a city",
  input_schema: WEATHER_PARAMETERS as Anthropic.Tool.InputSchema,
};

const FORCED_WEATHER = {
  model: "qwen",
  max_tokens: 128,
  messages: [{ role: "user" as const, content: "What is the weather in Paris?" }],
  tools: [WEATHER_TOOL],
  tool_choice: { type: "any" as const },
};
let forced: Promise<Message> | undefined;
/** Timeout of tests that decode under a tool grammar with Qwen's 151k-token vocabulary (seconds per call here). */
const SLOW = 300_000;

/** The forced weather call, generated once for the tests that need one (constrained decoding is slow here). */
const weatherCall = () => {
  forced ??= create(FORCED_WEATHER);
  return forced;
};

function create(params: MessageCreateParamsNonStreaming): Promise<Message> {
  return client.messages.create({ ...greedy, ...params });
}

/** The error a request fails with (the SDK's promises parse lazily, so they are awaited here). */
async function failure(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected the request to fail");
}

/** The text of a message's text blocks. */
const textOf = (m: Message) => m.content.map((b) => (b.type === "text" ? b.text : "")).join("");

describe("@anthropic-ai/sdk messages", () => {
  test("create: a text answer in Anthropic's message shape", async () => {
    const m = await create({ model: "tiny", max_tokens: 6, system: "You are terse.", messages: hello });
    expect(m.id).toMatch(/^msg_/);
    expect(m.type).toBe("message");
    expect(m.role).toBe("assistant");
    expect(m.model).toBe("tiny");
    expect(m.content.length).toBe(1);
    expect(m.content[0]?.type).toBe("text");
    expect(textOf(m)).not.toBe("");
    expect(m.stop_reason).toBe("max_tokens");
    expect(m.stop_sequence).toBeNull();
    expect(m.usage.output_tokens).toBe(6);
    expect(m.usage.input_tokens).toBeGreaterThan(5);
  });

  test("stream: events in order, the accumulated message equals the deltas and the unstreamed answer", async () => {
    const params = { ...greedy, model: "tiny", max_tokens: 8, messages: hello };
    const stream = client.messages.stream(params as never);
    const events: RawMessageStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const final = await stream.finalMessage();

    expect(events[0]?.type).toBe("message_start");
    expect(events.at(-2)?.type).toBe("message_delta");
    expect(events.at(-1)?.type).toBe("message_stop");
    const blocks = events.slice(1, -2);
    expect(blocks[0]).toMatchObject({
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    });
    expect(blocks.at(-1)).toEqual({ type: "content_block_stop", index: 0 });
    const deltas = blocks.slice(1, -1);
    expect(deltas.length).toBeGreaterThan(0);
    let text = "";
    for (const d of deltas) {
      if (d.type !== "content_block_delta" || d.delta.type !== "text_delta")
        throw new Error(`unexpected ${d.type}`);
      expect(d.index).toBe(0);
      text += d.delta.text;
    }
    expect(textOf(final)).toBe(text);
    expect(final.stop_reason).toBe("max_tokens");
    expect(final.usage.output_tokens).toBe(8);
    expect(final.usage.input_tokens).toBeGreaterThan(0);

    const whole = await create({ model: "tiny", max_tokens: 8, messages: hello });
    expect(whole.content).toEqual(final.content);
    expect(whole.usage).toEqual(final.usage);
  });

  test("stop_sequences and a system prompt as text blocks are accepted", async () => {
    const m = await create({
      model: "tiny",
      max_tokens: 4,
      system: [{ type: "text", text: "You are terse." }],
      stop_sequences: ["\u0000never"],
      metadata: { user_id: "someone" },
      messages: hello,
    });
    expect(m.stop_reason).toBe("max_tokens");
  });

  test(
    "structured output: a forced tool's input validates against its input_schema",
    async () => {
      const m = await create({
        model: "qwen",
        max_tokens: 256,
        messages: [{ role: "user", content: "Give a forecast for Oslo." }],
        tools: [
          {
            name: "report_forecast",
            description: "Report a forecast",
            input_schema: FORECAST_SCHEMA as never,
          },
        ],
        tool_choice: { type: "tool", name: "report_forecast" },
      });
      const uses = m.content.filter((b) => b.type === "tool_use");
      expect(uses.length).toBeGreaterThan(0);
      const use = uses[0] as Anthropic.ToolUseBlock;
      expect(use.name).toBe("report_forecast");
      expect(use.id).toMatch(/^toolu_/);
      expect(schemaErrors(FORECAST_SCHEMA, use.input)).toEqual([]);
      expect(m.stop_reason).toBe("tool_use");
    },
    SLOW,
  );

  test(
    "structured output: output_config.format constrains the text to the schema",
    async () => {
      const m = await create({
        model: "qwen",
        max_tokens: 256,
        messages: [{ role: "user", content: "Give a forecast for Oslo as JSON." }],
        output_config: { format: { type: "json_schema", schema: FORECAST_SCHEMA } },
      });
      expect(m.stop_reason).toBe("end_turn");
      expect(schemaErrors(FORECAST_SCHEMA, JSON.parse(textOf(m)))).toEqual([]);
    },
    SLOW,
  );

  test(
    "tool_choice any: a tool_use block with schema-valid input, streamed the same way",
    async () => {
      const m = await weatherCall();
      const use = m.content.find((b) => b.type === "tool_use") as Anthropic.ToolUseBlock | undefined;
      expect(use?.name).toBe("get_weather");
      expect(use?.id).toMatch(/^toolu_/);
      expect(schemaErrors(WEATHER_PARAMETERS, use?.input)).toEqual([]);
      expect(m.stop_reason).toBe("tool_use");

      const stream = client.messages.stream({ ...greedy, ...FORCED_WEATHER } as never);
      const final = await stream.finalMessage();
      const streamed = final.content.find((b) => b.type === "tool_use") as Anthropic.ToolUseBlock | undefined;
      expect(streamed?.input).toEqual(use?.input as object);
      expect(final.stop_reason).toBe("tool_use");
    },
    SLOW,
  );

  test(
    "a tool_result turn: the call and its result reach the prompt",
    async () => {
      const ask = FORCED_WEATHER.messages;
      const base = { model: "qwen", max_tokens: 4, tools: [WEATHER_TOOL] };
      const first = await weatherCall();
      const use = first.content.find((b) => b.type === "tool_use") as Anthropic.ToolUseBlock;
      expect(use).toBeDefined();
      const history: Anthropic.MessageParam[] = [
        ...ask,
        { role: "assistant", content: first.content as Anthropic.ContentBlockParam[] },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: use.id,
              content: [{ type: "text", text: '{"temperature": 21}' }],
            },
          ],
        },
      ];
      const before = await create({ ...base, messages: ask });
      const after = await create({ ...base, messages: history });
      expect(after.role).toBe("assistant");
      expect(after.usage.output_tokens).toBeGreaterThan(0);
      expect(after.usage.input_tokens).toBeGreaterThan(before.usage.input_tokens + 10);
      const counted = await client.messages.countTokens({
        model: "qwen",
        messages: history,
        tools: [WEATHER_TOOL],
      });
      expect(counted.input_tokens).toBe(after.usage.input_tokens);
    },
    SLOW,
  );

  test("thinking enabled: a signed thinking block, streamed as thinking and signature deltas", async () => {
    const params = {
      model: "thinker",
      max_tokens: 8,
      messages: hello,
      thinking: { type: "enabled" as const, budget_tokens: 1024 },
    };
    const m = await create(params);
    expect(m.content[0]?.type).toBe("thinking");
    const block = m.content[0] as Anthropic.ThinkingBlock;
    expect(block.thinking).not.toBe("");
    expect(block.signature).not.toBe("");
    expect(m.stop_reason).toBe("max_tokens");

    const stream = client.messages.stream({ ...greedy, ...params } as never);
    const kinds: string[] = [];
    for await (const e of stream) if (e.type === "content_block_delta") kinds.push(e.delta.type);
    const final = await stream.finalMessage();
    expect(kinds.at(-1)).toBe("signature_delta");
    expect(kinds.slice(0, -1).every((k) => k === "thinking_delta")).toBe(true);
    expect(m.content).toEqual(final.content);
  });

  test("thinking disabled: text only; thinking asked of a model that cannot think: answered without it", async () => {
    const off = await create({
      model: "thinker",
      max_tokens: 4,
      messages: hello,
      thinking: { type: "disabled" },
    });
    expect(off.content.map((b) => b.type)).toEqual(["text"]);
    const unable = await create({
      model: "tiny",
      max_tokens: 4,
      messages: hello,
      thinking: { type: "enabled", budget_tokens: 1024 },
    });
    expect(unable.content.map((b) => b.type)).toEqual(["text"]);
  });

  test("thinking blocks sent back on an assistant turn reach the template", async () => {
    const history = (thinking: boolean): Anthropic.MessageParam[] => [
      ...hello,
      {
        role: "assistant",
        content: [
          ...(thinking
            ? [{ type: "thinking" as const, thinking: "The user wants a greeting.", signature: "x" }]
            : []),
          { type: "redacted_thinking" as const, data: "opaque" },
          { type: "text" as const, text: "Hello." },
        ],
      },
      { role: "user", content: "Again." },
    ];
    const count = async (thinking: boolean) =>
      (await client.messages.countTokens({ model: "thinker", messages: history(thinking) })).input_tokens;
    expect(await count(true)).toBeGreaterThan(await count(false));
  });

  test("count_tokens equals the prompt's input_tokens and grows with the system prompt and tools", async () => {
    const m = await create({ model: "tiny", max_tokens: 1, system: "Be brief.", messages: hello });
    const counted = await client.messages.countTokens({
      model: "tiny",
      system: "Be brief.",
      messages: hello,
    });
    expect(counted.input_tokens).toBe(m.usage.input_tokens);
    const plain = await client.messages.countTokens({ model: "tiny", messages: hello });
    expect(counted.input_tokens).toBeGreaterThan(plain.input_tokens);
    const qwen = { model: "qwen", messages: hello };
    const withTools = await client.messages.countTokens({ ...qwen, tools: [WEATHER_TOOL] });
    const bare = (await client.messages.countTokens(qwen)).input_tokens;
    expect(withTools.input_tokens).toBeGreaterThan(bare + 20);
    // tool_choice none: the tools are not shown to the model.
    const none = await client.messages.countTokens({
      ...qwen,
      tools: [WEATHER_TOOL],
      tool_choice: { type: "none" },
    });
    expect(none.input_tokens).toBe(bare);
  });

  test("errors: unknown model → NotFoundError, missing max_tokens → BadRequestError", async () => {
    const missing = await failure(create({ model: "nope", max_tokens: 4, messages: hello }));
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect((missing as APIError).status).toBe(404);
    expect((missing as APIError).type).toBe("not_found_error");

    const streamed = client.messages.stream({ model: "nope", max_tokens: 4, messages: hello });
    expect(await failure(streamed.finalMessage())).toBeInstanceOf(Anthropic.NotFoundError);

    const noMax = await failure(create({ model: "tiny", messages: hello } as never));
    expect(noMax).toBeInstanceOf(Anthropic.BadRequestError);
    expect((noMax as APIError).type).toBe("invalid_request_error");
    expect((noMax as APIError).message).toContain("max_tokens");

    const counted = await failure(client.messages.countTokens({ model: "nope", messages: hello }));
    expect(counted).toBeInstanceOf(Anthropic.NotFoundError);
  });
});
