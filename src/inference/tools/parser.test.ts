import { describe, expect, test } from "bun:test";
import { ToolCallParser } from "./parser.ts";
import type { ToolFamily, ToolSyntax } from "./syntax.ts";
import { detectToolSyntax } from "./syntax.ts";
import { GO_TEMPLATES as REGISTRY } from "../../gguf/synth/go-templates.ts";
import { goTemplate, jinjaTemplate } from "./test-templates.ts";

const SYNTAX: Record<ToolFamily, ToolSyntax> = {
  hermes: detectToolSyntax(jinjaTemplate("Qwen-Qwen2.5-7B-Instruct")),
  llama3: detectToolSyntax(jinjaTemplate("meta-llama-Llama-3.1-8B-Instruct")),
  mistral: detectToolSyntax(jinjaTemplate("mistralai-Mistral-Nemo-Instruct-2407")),
  "mistral-args": detectToolSyntax(jinjaTemplate("Mistral-Small-3.2-24B-Instruct-2506")),
  tagged: { family: "tagged", tags: ["```json"], leadingJson: false, argsKey: "arguments" },
  json: detectToolSyntax(jinjaTemplate("google-gemma-2-2b-it")),
};
const TOOLS = ["get_weather", "get_time", "brave_search"];

type Call = [string, Record<string, unknown>];
interface Result {
  content: string;
  calls: Call[];
}

/** Feeds pieces; returns all content and calls (name, arguments), checking indexes and ids on the way. */
function feed(family: ToolFamily, pieces: string[], names = TOOLS): Result {
  const p = new ToolCallParser(SYNTAX[family], names);
  let content = "";
  const calls = [];
  for (const piece of pieces) {
    const r = p.add(piece);
    content += r.content;
    calls.push(...r.calls);
  }
  const end = p.finish();
  content += end.content;
  calls.push(...end.calls);
  calls.forEach((c, i) => {
    expect(c.function.index).toBe(i);
    expect(c.id).toMatch(/^call_[a-z0-9]{8}$/);
  });
  return { content, calls: calls.map((c) => [c.function.name, c.function.arguments]) };
}

/** Every way of cutting `text` in two, and one character at a time, gives the same result. */
function expectSplitProof(family: ToolFamily, text: string, want: Result): void {
  expect(feed(family, [text])).toEqual(want);
  for (let i = 0; i <= text.length; i++)
    expect(feed(family, [text.slice(0, i), text.slice(i)])).toEqual(want);
  expect(feed(family, [...text])).toEqual(want);
}

const PARIS: Call = ["get_weather", { city: "Paris" }];
const CET: Call = ["get_time", { tz: "CET" }];

/** [family, reply, content, calls]: well-formed replies, parallel calls included. */
const WELL_FORMED: [ToolFamily, string, string, Call[]][] = [
  [
    "hermes",
    'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": "{\\"tz\\": \\"CET\\"}"}\n</tool_call>',
    "Let me check.\n",
    [PARIS, CET],
  ],
  // Ollama's qwen2.5 Go template: one block, one call a line.
  [
    "hermes",
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n{"name": "get_time", "arguments": {"tz": "CET"}}\n</tool_call>',
    "",
    [PARIS, CET],
  ],
  [
    "hermes",
    '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call> Done.',
    " Done.",
    [PARIS],
  ],
  ["llama3", '{"name": "get_weather", "parameters": {"city": "Paris"}}', "", [PARIS]],
  [
    "llama3",
    '  {"name": "get_weather", "parameters": {"city": "Paris"}}; {"name": "get_time", "parameters": {"tz": "CET"}}',
    "",
    [PARIS, CET],
  ],
  [
    "llama3",
    '[{"name": "get_weather", "parameters": {"city": "Paris"}}, {"name": "get_time", "parameters": {"tz": "CET"}}]',
    "",
    [PARIS, CET],
  ],
  ["llama3", '<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}', "", [PARIS]],
  [
    "llama3",
    '<|python_tag|>brave_search.call(query="weather in Paris", count=3)',
    "",
    [["brave_search", { query: "weather in Paris", count: 3 }]],
  ],
  [
    "mistral",
    '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "abc123DEF"}, {"name": "get_time", "arguments": {"tz": "CET"}}]',
    "",
    [PARIS, CET],
  ],
  [
    "mistral",
    'Sure. [TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}}]',
    "Sure. ",
    [PARIS],
  ],
  [
    "mistral-args",
    '[TOOL_CALLS]get_weather[ARGS]{"city": "Paris"}[TOOL_CALLS]get_time[CALL_ID]a1b2c3d4e[ARGS]{"tz": "CET"}',
    "",
    [PARIS, CET],
  ],
  ["mistral-args", '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}}]', "", [PARIS]],
  [
    "json",
    '[{"name": "get_weather", "arguments": {"city": "Paris"}}, {"function": {"name": "get_time", "arguments": {"tz": "CET"}}}]',
    "",
    [PARIS, CET],
  ],
  ["json", '\n{"name": "get_time"}', "", [["get_time", {}]]],
  [
    "tagged",
    'Checking ```json\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n```',
    "Checking \n```",
    [PARIS],
  ],
];

/** Replies that hold no valid call: all of it comes back as content. */
const MALFORMED: [ToolFamily, string][] = [
  ["hermes", '<tool_call>{"name": "get_weather", "arguments": {"city": }}</tool_call>'],
  ["hermes", 'Here: <tool_call>{"name": "zzz", "arguments": {}}</tool_call>'],
  ["hermes", '<tool_call>{"name": "get_weather", "arguments": [1, 2]}</tool_call>'],
  ["hermes", '<tool_call>{"name": "get_weather", "arguments": "{bad"}</tool_call>'],
  ["hermes", 'Sure <tool_call>{"name": "get_weather", "argu'],
  ["hermes", "<tool_call></tool_call> and <tool_"],
  ["hermes", "a <tool_call>get_weather(city=Paris)</tool_call>"],
  ["llama3", 'Hello {"name": "get_weather", "parameters": {"city": "Paris"}}'],
  ["llama3", '{"answer": 42}'],
  ["llama3", "<|python_tag|>print('hi')"],
  ["llama3", '{"name": "get_weather", "parameters": {"city": "Par'],
  ["mistral", "[TOOL_CALLS] nothing here"],
  ["mistral-args", '[TOOL_CALLS]get_weather[ARGS]{"city": '],
  ["mistral-args", "[TOOL_CALLS]unknown_tool[ARGS]{}"],
  ["json", '  ["just", "an", "array"]'],
  ["tagged", "```json\nnot json\n```"],
];

describe("ToolCallParser", () => {
  for (const [family, text, content, calls] of WELL_FORMED)
    test(`${family}: ${JSON.stringify(text).slice(0, 60)}… at every split point`, () =>
      expectSplitProof(family, text, { content, calls }));

  for (const [family, text] of MALFORMED)
    test(`${family} malformed stays content: ${JSON.stringify(text).slice(0, 50)}`, () =>
      expectSplitProof(family, text, { content: text, calls: [] }));

  test("a call is released as soon as it is complete, not at the end", () => {
    const p = new ToolCallParser(SYNTAX.hermes, TOOLS);
    expect(p.add("Hi <tool_").content).toBe("Hi ");
    expect(p.add('call>{"name": "get_time", "arguments": {}').calls).toHaveLength(0);
    expect(p.add("}").calls.map((c) => c.function.name)).toEqual(["get_time"]);
    expect(p.add("\n</tool_call>\n<tool_call>")).toMatchObject({ content: "", calls: [] });
    const second = p.add('{"name": "get_weather", "arguments": {"city": "Oslo"}}');
    expect(second.calls[0]?.function).toEqual({ index: 1, name: "get_weather", arguments: { city: "Oslo" } });
    expect(p.finish()).toEqual({ content: "", thinking: "", calls: [] });
  });

  test("bare JSON: the first call streams out before the reply ends", () => {
    const p = new ToolCallParser(SYNTAX.json, TOOLS);
    expect(p.add('{"name": "get_time", "arguments": {"tz": "UTC"}').calls).toHaveLength(0);
    expect(p.add("}").calls).toHaveLength(1);
  });

  test("only the request's tools are calls; ids are distinct", () => {
    const text =
      '<tool_call>{"name": "get_time", "arguments": {}}</tool_call><tool_call>{"name": "get_time", "arguments": {}}</tool_call>';
    expect(feed("hermes", [text], ["get_weather"])).toEqual({ content: text, calls: [] });
    const p = new ToolCallParser(SYNTAX.hermes, ["get_time"]);
    const ids = [...p.add(text).calls, ...p.finish().calls].map((c) => c.id);
    expect(new Set(ids).size).toBe(2);
  });

  test("a valid call, then a broken one: the call is kept and the rest is content", () => {
    expectSplitProof(
      "mistral",
      '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_ti',
      {
        content: ', {"name": "get_ti',
        calls: [PARIS],
      },
    );
  });

  test("a valid call, then one cut off by num_predict: the cut call is dropped, not shown as content", () => {
    for (const [family, text] of [
      [
        "hermes",
        '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>\n<tool_call>{"na',
      ],
      ["mistral", '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_ti'],
    ] as const) {
      const p = new ToolCallParser(SYNTAX[family], TOOLS);
      const a = p.add(text);
      const b = p.finish(true);
      expect(a.content + b.content).toBe("");
      expect([...a.calls, ...b.calls].map((c) => c.function.name)).toEqual(["get_weather"]);
    }
  });

  test("Go templates give the same parsers (qwen2.5, mistral)", () => {
    const qwen = new ToolCallParser(detectToolSyntax(goTemplate(REGISTRY["qwen2.5"] as string)), TOOLS);
    expect(qwen.add('<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>').calls).toHaveLength(
      1,
    );
    const mistral = new ToolCallParser(detectToolSyntax(goTemplate(REGISTRY.mistral as string)), TOOLS);
    expect(mistral.add('[TOOL_CALLS] [{"name": "get_time", "arguments": {}}]').calls).toHaveLength(1);
  });
});
