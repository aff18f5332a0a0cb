import { describe, expect, test } from "bun:test";
import { InvalidInputError } from "../../errors.ts";
import { chatRequest, promptInput } from "./request.ts";
import type { MessagesRequest } from "./schema.ts";

const user = (content: MessagesRequest["messages"][number]["content"]) => ({ role: "user", content });
const req = (more: Partial<MessagesRequest> = {}): MessagesRequest => ({
  model: "m",
  max_tokens: 16,
  messages: [user("Hi")],
  ...more,
});
const PNG = "iVBORw0KGgo=";
const weather = { name: "get_weather", description: "Weather", input_schema: { type: "object" } };

/** The 400 message `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return (e as Error).message;
  }
  throw new Error("expected a 400");
}

describe("Anthropic request → chat input", () => {
  test("system blocks, sampling fields and stop sequences", () => {
    const { input } = chatRequest(
      req({
        system: [
          { type: "text", text: "A." },
          { type: "text", text: "B.", cache_control: { type: "ephemeral" } },
        ],
        temperature: 0.5,
        top_p: 0.9,
        top_k: 7,
        stop_sequences: ["END"],
      }),
    );
    expect(input.messages).toEqual([
      { role: "system", content: "A.\n\nB." },
      { role: "user", content: "Hi" },
    ]);
    expect(input.options).toEqual({ num_predict: 16, temperature: 0.5, top_p: 0.9, top_k: 7, stop: ["END"] });
    expect(input.think).toBeUndefined();
  });

  test("tool uses, tool results (named, before the user's text), thinking and images", () => {
    const { input } = chatRequest(
      req({
        messages: [
          user([
            { type: "text", text: "Look:" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
          ]),
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "I should call.", signature: "sig" },
              { type: "redacted_thinking", data: "xx" },
              { type: "text", text: "Calling." },
              { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris", x: null } },
            ],
          },
          user([
            { type: "tool_result", tool_use_id: "toolu_1", content: "21C", is_error: null },
            {
              type: "tool_result",
              tool_use_id: "toolu_1",
              is_error: true,
              content: [{ type: "text", text: "boom" }],
            },
            { type: "text", text: "Thanks", citations: null },
          ]),
        ],
      }),
    );
    expect(input.messages).toEqual([
      { role: "user", content: "Look:", images: [PNG] },
      {
        role: "assistant",
        content: "Calling.",
        thinking: "I should call.",
        tool_calls: [
          { id: "toolu_1", function: { name: "get_weather", arguments: { city: "Paris", x: null } } },
        ],
      },
      { role: "tool", content: "21C", tool_call_id: "toolu_1", tool_name: "get_weather" },
      { role: "tool", content: "Error: boom", tool_call_id: "toolu_1", tool_name: "get_weather" },
      { role: "user", content: "Thanks" },
    ]);
  });

  test("a user turn of tool results only adds no empty user message", () => {
    const input = promptInput(req({ messages: [user([{ type: "tool_result", tool_use_id: "t" }])] }));
    expect(input.messages).toEqual([{ role: "tool", content: "", tool_call_id: "t" }]);
  });

  test("tools and tool_choice", () => {
    const choice = (tool_choice: MessagesRequest["tool_choice"]) =>
      promptInput(req({ tools: [weather], tool_choice })).toolChoice;
    expect(promptInput(req({ tools: [weather] })).tools).toEqual([
      {
        type: "function",
        function: { name: "get_weather", description: "Weather", parameters: { type: "object" } },
      },
    ]);
    expect(choice({ type: "auto" })).toBe("auto");
    expect(choice({ type: "any" })).toBe("required");
    expect(choice({ type: "none" })).toBe("none");
    expect(choice({ type: "tool", name: "get_weather" })).toEqual({ name: "get_weather" });
    const single = chatRequest(
      req({ tools: [weather], tool_choice: { type: "any", disable_parallel_tool_use: true } }),
    );
    expect(single.input.parallelToolCalls).toBe(false);
    expect(single.shape).toEqual({ singleToolUse: true, hideThinking: false });
    expect(promptInput(req({ tools: [weather] })).parallelToolCalls).toBeUndefined();
  });

  test("thinking and effort → think", () => {
    const think = (more: Partial<MessagesRequest>) => promptInput(req(more)).think;
    expect(think({ thinking: { type: "enabled", budget_tokens: 1024 } })).toBe(true);
    expect(think({ thinking: { type: "disabled" } })).toBe(false);
    expect(think({ thinking: { type: "adaptive" } })).toBe(true);
    expect(think({ output_config: { effort: "low" } })).toBe("low");
    expect(think({ output_config: { effort: "xhigh" } })).toBe("high");
    expect(think({ thinking: { type: "adaptive" }, output_config: { effort: "medium" } })).toBe("medium");
    expect(chatRequest(req({ thinking: { type: "adaptive", display: "omitted" } })).shape.hideThinking).toBe(
      true,
    );
  });

  test("output_config.format is the format", () => {
    const schema = { type: "object", properties: { a: { type: "string" } } };
    expect(promptInput(req({ output_config: { format: { type: "json_schema", schema } } })).format).toEqual(
      schema,
    );
  });

  test("mistakes are 400s naming the field", () => {
    const cases: [Partial<MessagesRequest>, string][] = [
      [{ messages: [] }, "messages: at least one message is required"],
      [
        { messages: [{ role: "tool", content: "x" }] },
        'messages.0.role: expected "user" or "assistant", got "tool"',
      ],
      [{ messages: [user([{ text: "x" }])] }, "messages.0.content.0.type: field required"],
      [{ messages: [user([{ type: "text" }])] }, "messages.0.content.0.text: field required"],
      [
        { messages: [user([{ type: "text", text: 3 }])] },
        "messages.0.content.0.text: expected string, got number",
      ],
      [
        { messages: [user([{ type: "video" }])] },
        'messages.0.content.0.type: content block type "video" is not supported',
      ],
      [
        { messages: [user([{ type: "tool_use", id: "a", name: "f", input: {} }])] },
        'messages.0.content.0.type: "tool_use" blocks are not allowed in user messages',
      ],
      [
        { messages: [user([{ type: "image", source: { type: "url", url: "http://x/y.png" } }])] },
        'messages.0.content.0.source.type: image source "url" is not supported; send the image as base64 data',
      ],
      [
        { messages: [user([{ type: "image", source: { type: "base64", data: "@@" } }])] },
        "messages.0.content.0.source.data: invalid base64 image data",
      ],
      [
        { system: [{ type: "image", source: {} }] },
        'system.0.type: "image" blocks are not allowed in system messages',
      ],
      [
        { tools: [{ name: "web_search", type: "web_search_20250305" }] },
        'tools.0.type: tool type "web_search_20250305" is not supported; only custom tools with an input_schema are',
      ],
      [{ tools: [{ name: "f" }] }, "tools.0.input_schema: field required"],
      [{ tools: [weather, weather] }, "tools.1.name: tool names must be unique"],
      [
        { tools: [weather], tool_choice: { type: "tool", name: "g" } },
        'tool_choice.name: no tool named "g" in tools',
      ],
      [
        { tools: [weather], tool_choice: { type: "some" } },
        'tool_choice.type: expected "auto", "any", "tool" or "none", got "some"',
      ],
      [{ thinking: { type: "enabled" } }, "thinking.budget_tokens: field required"],
      [{ thinking: { type: "on" } }, 'thinking.type: expected "enabled", "disabled" or "adaptive", got "on"'],
      [
        { output_config: { effort: "huge" } },
        'output_config.effort: expected "low", "medium", "high", "xhigh" or "max", got "huge"',
      ],
      [
        { output_config: { format: { type: "json" } } },
        'output_config.format.type: expected "json_schema", got "json"',
      ],
    ];
    for (const [more, message] of cases) expect(refusal(() => chatRequest(req(more)))).toBe(message);
  });
});
