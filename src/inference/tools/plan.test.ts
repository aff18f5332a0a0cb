import { describe, expect, test } from "bun:test";
import type { Tool } from "../../templates/index.ts";
import { InvalidToolChoiceError, InvalidToolError } from "./errors.ts";
import { GbnfGrammar } from "./gbnf-check.ts";
import { planTools } from "./plan.ts";
import { GO_TEMPLATES as REGISTRY } from "../../gguf/synth/go-templates.ts";
import { goTemplate, jinjaTemplate } from "./test-templates.ts";

const tool = (name: string, parameters?: unknown): Tool =>
  ({ type: "function", function: { name, parameters } }) as Tool;
const TOOLS = [
  tool("get_time", {
    type: "object",
    properties: { tz: { type: "string", enum: ["UTC"] } },
    required: ["tz"],
  }),
  tool("ping"),
];
const qwen = goTemplate(REGISTRY["qwen2.5"] as string);

describe("planTools", () => {
  test("auto (default): tools rendered, parser set, lazy grammar triggered by the family's tag", () => {
    const plan = planTools({ template: qwen, tools: TOOLS });
    expect(plan.tools).toBe(TOOLS);
    expect(plan.parser).toBeDefined();
    expect(plan.request.grammar_lazy).toEqual({ words: ["<tool_call>"], patterns: [] });
    expect(
      new GbnfGrammar(plan.request.grammar as string).accepts(
        '<tool_call>{"name": "ping", "arguments": {}}</tool_call>',
      ),
    ).toBe(true);
  });

  test("bare-JSON families trigger on a reply starting with { or [", () => {
    const plan = planTools({ template: jinjaTemplate("meta-llama-Llama-3.1-8B-Instruct"), tools: TOOLS });
    expect(plan.request.grammar_lazy?.words).toEqual(["<|python_tag|>"]);
    expect(plan.request.grammar_lazy?.patterns).toHaveLength(2);
  });

  test("none: tools are not rendered, nothing is parsed or constrained", () => {
    expect(planTools({ template: qwen, tools: TOOLS, choice: "none" })).toEqual({ request: {} });
  });

  test("required and named: grammar from the first token, no triggers", () => {
    const req = planTools({ template: qwen, tools: TOOLS, choice: "required" });
    expect(req.request.grammar_lazy).toBeUndefined();
    const named = planTools({ template: qwen, tools: TOOLS, choice: { name: "ping" } });
    const g = new GbnfGrammar(named.request.grammar as string);
    expect(g.accepts('<tool_call>{"name": "ping", "arguments": {"any": [1]}}</tool_call>')).toBe(true);
    expect(g.accepts('<tool_call>{"name": "get_time", "arguments": {"tz": "UTC"}}</tool_call>')).toBe(false);
    // The parser only knows the named tool.
    const r = named.parser?.add('<tool_call>{"name": "get_time", "arguments": {"tz": "UTC"}}</tool_call>');
    expect(r?.calls).toEqual([]);
  });

  test("auto with a format: the reply is the format's JSON or calls, from the first token", () => {
    const schema = { type: "object", properties: { answer: { type: "integer" } }, required: ["answer"] };
    const plan = planTools({ template: qwen, tools: TOOLS, format: schema });
    expect(plan.request.grammar_lazy).toBeUndefined();
    const g = new GbnfGrammar(plan.request.grammar as string);
    expect(g.accepts('{"answer": 42}')).toBe(true);
    expect(g.accepts('<tool_call>{"name": "ping", "arguments": {}}</tool_call>')).toBe(true);
    expect(g.accepts("plain text")).toBe(false);
    const json = new GbnfGrammar(
      planTools({ template: qwen, tools: TOOLS, format: "json" }).request.grammar as string,
    );
    expect(json.accepts('{"x": [1, "y"]}')).toBe(true);
    // required ignores the format: the reply is calls.
    const req = new GbnfGrammar(
      planTools({ template: qwen, tools: TOOLS, format: schema, choice: "required" }).request
        .grammar as string,
    );
    expect(req.accepts('{"answer": 42}')).toBe(false);
  });

  test('a tool without parameters (or Go\'s "properties": null) takes any object', () => {
    const nulls = tool("now", { type: "object", properties: null });
    for (const t of [nulls, tool("now")]) {
      const g = new GbnfGrammar(
        planTools({ template: qwen, tools: [t], choice: "required" }).request.grammar as string,
      );
      expect(g.accepts('<tool_call>{"name": "now", "arguments": {}}</tool_call>')).toBe(true);
    }
  });

  test("no tools: auto and none are fine; required or a name is a 400", () => {
    expect(planTools({ template: qwen, tools: [] })).toEqual({ request: {} });
    expect(() => planTools({ template: qwen, choice: "required" })).toThrow(InvalidToolChoiceError);
    expect(() => planTools({ template: qwen, choice: { name: "x" } })).toThrow(/needs tools/);
  });

  test("400s name the function or tool and the problem", () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as Error & { status: number };
      }
      throw new Error("no error");
    };
    const unknown = err(() => planTools({ template: qwen, tools: TOOLS, choice: { name: "get_tiem" } }));
    expect(unknown).toBeInstanceOf(InvalidToolChoiceError);
    expect(unknown.status).toBe(400);
    expect(unknown.message).toContain('"get_tiem"');
    const cases: [Tool[], RegExp][] = [
      [[tool("")], /tools\[0\].*name is missing/],
      [[{ type: "function" } as unknown as Tool], /tools\[0\]/],
      [[tool("a", [1])], /"a".*JSON Schema object/],
      [[tool("a", { type: "string" })], /"a".*object schema.*"string"/],
      [[tool("a", { type: "object", properties: { x: { type: "widget" } } })], /"a".*parameters/],
      [[tool("a"), tool("a")], /"a".*same name/],
    ];
    for (const [tools, want] of cases) {
      const e = err(() => planTools({ template: qwen, tools }));
      expect(e).toBeInstanceOf(InvalidToolError);
      expect(e.status).toBe(400);
      expect(e.message).toMatch(want);
    }
  });
});
