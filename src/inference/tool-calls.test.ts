import { describe, expect, test } from "bun:test";
import { completeJson, ToolCallParser } from "./tool-calls.ts";

function feed(p: ToolCallParser, pieces: string[]) {
  let content = "";
  const calls = [];
  for (const piece of pieces) {
    const r = p.add(piece);
    content += r.content;
    calls.push(...r.calls);
  }
  const end = p.finish();
  return { content: content + end.content, calls: [...calls, ...end.calls] };
}

describe("ToolCallParser", () => {
  test("a tagged call split across pieces becomes a tool call; text before it streams", () => {
    const p = new ToolCallParser("<tool_call>", ["get_weather"]);
    const r = feed(p, [
      "Let me check. <tool",
      '_call>{"name": "get_weather", "argu',
      'ments": {"city": "Paris"}}</tool_call>',
    ]);
    expect(r.content).toBe("Let me check. ");
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]?.function).toEqual({ index: 0, name: "get_weather", arguments: { city: "Paris" } });
    expect(r.calls[0]?.id).toMatch(/^call_[a-z0-9]{8}$/);
  });

  test("bare JSON arrays of calls, with string arguments and `parameters`", () => {
    const p = new ToolCallParser("{", ["a", "b"]);
    const r = feed(p, [' [{"name":"a","arguments":"{\\"x\\":1}"},', '{"name":"b","parameters":{"y":[2]}}]']);
    expect(r.calls.map((c) => [c.function.index, c.function.name, c.function.arguments])).toEqual([
      [0, "a", { x: 1 }],
      [1, "b", { y: [2] }],
    ]);
    expect(r.content).toBe("");
  });

  test("plain text turns parsing off; unknown tools and broken JSON stay content", () => {
    expect(feed(new ToolCallParser("{", ["a"]), ["Hello ", "{there}"])).toEqual({
      content: "Hello {there}",
      calls: [],
    });
    const unknown = feed(new ToolCallParser("<tool_call>", ["a"]), [
      '<tool_call>{"name":"zzz","arguments":{}}',
    ]);
    expect(unknown).toEqual({ content: '<tool_call>{"name":"zzz","arguments":{}}', calls: [] });
  });

  test("completeJson skips braces inside strings and keeps an unfinished tail", () => {
    expect(completeJson('x {"a":"}{"} y {"b":')).toEqual({ values: [{ a: "}{" }], rest: '{"b":' });
  });
});
