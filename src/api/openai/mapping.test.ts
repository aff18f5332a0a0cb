import { describe, expect, test } from "bun:test";
import { OpenAIParamError } from "./errors.ts";
import { chatMessages, imageData } from "./messages.ts";
import { ollamaOptions, thinkValue } from "./params.ts";
import { inputMessages } from "./responses/request.ts";
import { formatOf, functionTools, toolChoice } from "./tools.ts";

const paramOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof OpenAIParamError) return e.param;
    throw e;
  }
  return undefined;
};

describe("chat messages", () => {
  test("developer is system; tool results are named after the call they answer", () => {
    const out = chatMessages([
      { role: "developer", content: "Be brief." },
      {
        role: "assistant",
        content: "",
        reasoning_content: "thinking about it",
        tool_calls: [
          { id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: [{ type: "text", text: "21" }] },
    ]);
    expect(out).toEqual([
      { role: "system", content: "Be brief." },
      {
        role: "assistant",
        content: "",
        thinking: "thinking about it",
        tool_calls: [{ id: "c1", function: { name: "get_weather", arguments: { city: "Oslo" } } }],
      },
      { role: "tool", content: "21", tool_call_id: "c1", tool_name: "get_weather" },
    ]);
  });

  test("images come from data URLs only", () => {
    expect(imageData("data:image/png;base64,AAAA", "p")).toBe("AAAA");
    expect(imageData("data:;base64,AAAA", "p")).toBe("AAAA");
    expect(paramOf(() => imageData("https://x/y.png", "messages[0].content[1].image_url"))).toBe(
      "messages[0].content[1].image_url",
    );
    expect(paramOf(() => imageData("data:text/plain;base64,AAAA", "p"))).toBe("p");
  });
});

describe("tools and formats", () => {
  const tools = functionTools([
    { type: "function", function: { name: "a", parameters: { type: "object" } } },
    { type: "function", name: "b" },
  ]);

  test("both spellings of a function tool", () => {
    expect(tools.map((t) => t.function.name)).toEqual(["a", "b"]);
    expect(tools[1]?.function.parameters).toEqual({ type: "object", properties: {} });
  });

  test("tool_choice forms", () => {
    expect(toolChoice(tools, "required").toolChoice).toBe("required");
    expect(toolChoice(tools, "none")).toEqual({ tools: [], toolChoice: "none" });
    expect(toolChoice(tools, { type: "function", function: { name: "b" } }).toolChoice).toEqual({
      name: "b",
    });
    expect(toolChoice(tools, { type: "function", name: "a" }).toolChoice).toEqual({ name: "a" });
    const allowed = toolChoice(tools, {
      type: "allowed_tools",
      allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "b" } }] },
    });
    expect(allowed.tools.map((t) => t.function.name)).toEqual(["b"]);
    expect(allowed.toolChoice).toBe("required");
    expect(paramOf(() => toolChoice(tools, { type: "function", function: { name: "zz" } }))).toBe(
      "tool_choice",
    );
    expect(paramOf(() => toolChoice([], "required"))).toBe("tool_choice");
  });

  test("response formats", () => {
    expect(formatOf({ type: "text" }, "response_format")).toBeUndefined();
    expect(formatOf({ type: "json_object" }, "response_format")).toBe("json");
    expect(
      formatOf({ type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } }, "f"),
    ).toEqual({
      type: "object",
    });
    expect(formatOf({ type: "json_schema", name: "x", schema: { type: "string" } }, "f")).toEqual({
      type: "string",
    });
    expect(paramOf(() => formatOf({ type: "grammar" }, "text.format"))).toBe("text.format.type");
  });
});

describe("options and think", () => {
  test("OpenAI sampling fields become Ollama options over the `options` extension", () => {
    expect(
      ollamaOptions(
        { temperature: 0.2, stop: "x", seed: 3, options: { num_ctx: 512, temperature: 0.9 } },
        { param: "max_tokens", value: 7 },
      ),
    ).toEqual({ num_ctx: 512, temperature: 0.2, top_p: 1, seed: 3, stop: ["x"], num_predict: 7 });
    expect(ollamaOptions({})).toEqual({ temperature: 1, top_p: 1 });
    expect(paramOf(() => ollamaOptions({}, { param: "max_tokens", value: 0 }))).toBe("max_tokens");
  });

  test("reasoning effort clamps to Ollama's levels; think wins", () => {
    expect(thinkValue(undefined, "minimal", "reasoning_effort")).toBe("low");
    expect(thinkValue(undefined, "xhigh", "reasoning_effort")).toBe("max");
    expect(thinkValue(undefined, "none", "reasoning_effort")).toBe(false);
    expect(thinkValue(true, "none", "reasoning_effort")).toBe(true);
    expect(thinkValue(undefined, undefined, "reasoning_effort")).toBeUndefined();
    expect(paramOf(() => thinkValue(undefined, "huge", "reasoning.effort"))).toBe("reasoning.effort");
  });
});

describe("responses input items", () => {
  test("a call, a replayed assistant message and the call's output stay in order", () => {
    const out = inputMessages(
      [
        { role: "user", content: "Weather?" },
        { type: "reasoning", summary: [{ type: "summary_text", text: "use the tool" }] },
        { type: "function_call", call_id: "c1", name: "w", arguments: "{}" },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Checking." }] },
        { type: "function_call_output", call_id: "c1", output: "21" },
      ],
      [],
    );
    expect(out).toEqual([
      { role: "user", content: "Weather?" },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [{ id: "c1", function: { name: "w", arguments: {} } }],
        thinking: "use the tool",
      },
      { role: "tool", content: "21", tool_call_id: "c1", tool_name: "w" },
    ]);
  });

  test("a call's output finds the call in the previous response's conversation", () => {
    const history = [
      { role: "user", content: "Weather?" },
      { role: "assistant", content: "", tool_calls: [{ id: "c9", function: { name: "w", arguments: {} } }] },
    ];
    expect(inputMessages([{ type: "function_call_output", call_id: "c9", output: "21" }], history)).toEqual([
      { role: "tool", content: "21", tool_call_id: "c9", tool_name: "w" },
    ]);
  });
});
