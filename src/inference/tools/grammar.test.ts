import { describe, expect, test } from "bun:test";
import Ajv from "ajv";
import type { Tool } from "../../templates/index.ts";
import { GbnfGrammar } from "./gbnf-check.ts";
import { ToolCallParser } from "./parser.ts";
import { planTools, type ToolChoice } from "./plan.ts";
import type { ToolFamily } from "./syntax.ts";
import { jinjaTemplate } from "./test-templates.ts";

const TEMPLATES: Record<Exclude<ToolFamily, "tagged">, string> = {
  hermes: "Qwen-Qwen2.5-7B-Instruct",
  llama3: "meta-llama-Llama-3.2-3B-Instruct",
  mistral: "mistralai-Mistral-Nemo-Instruct-2407",
  "mistral-args": "Mistral-Small-3.2-24B-Instruct-2506",
  json: "google-gemma-2-2b-it",
};

const WEATHER = {
  type: "object",
  properties: { city: { type: "string" }, days: { type: "integer" } },
  required: ["city"],
};
const TIME = {
  type: "object",
  properties: { tz: { type: "string", enum: ["UTC", "CET"] } },
  required: ["tz"],
};
const TOOLS: Tool[] = [
  { type: "function", function: { name: "get_weather", parameters: WEATHER } },
  { type: "function", function: { name: "get_time", parameters: TIME } },
];

function grammarFor(family: keyof typeof TEMPLATES, choice: ToolChoice = "required", parallel = true) {
  const plan = planTools({ template: jinjaTemplate(TEMPLATES[family]), tools: TOOLS, choice, parallel });
  return { plan, g: new GbnfGrammar(plan.request.grammar as string) };
}

/** Canonical replies per family: [one call, two calls]. */
const CANONICAL: Record<keyof typeof TEMPLATES, [string, string]> = {
  hermes: [
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "days": 3}}\n</tool_call>',
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": {"tz": "UTC"}}\n</tool_call>',
  ],
  llama3: [
    '{"name": "get_weather", "parameters": {"city": "Paris", "days": 3}}',
    '<|python_tag|>[{"name": "get_weather", "parameters": {"city": "Paris"}}, {"name": "get_time", "parameters": {"tz": "UTC"}}]',
  ],
  mistral: [
    '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris", "days": 3}}]',
    '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_time", "arguments": {"tz": "UTC"}}]',
  ],
  "mistral-args": [
    '[TOOL_CALLS]get_weather[ARGS]{"city": "Paris", "days": 3}',
    '[TOOL_CALLS]get_weather[ARGS]{"city":"Paris"}[TOOL_CALLS]get_time[ARGS]{"tz":"UTC"}',
  ],
  json: [
    '{"name": "get_weather", "arguments": {"city": "Paris", "days": 3}}',
    '[{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_time", "arguments": {"tz": "UTC"}}]',
  ],
};

/** Replies each family's grammar must refuse: bad arguments, unknown tools, text around the calls. */
function invalid(family: keyof typeof TEMPLATES): string[] {
  const [one] = CANONICAL[family];
  return [
    one.replace('"Paris"', "3"), // city must be a string
    one.replace('"city": "Paris", ', ""), // city is required
    one.replace('"days": 3', '"days": 3.5'), // days is an integer
    one.replace("get_weather", "get_wether"), // no such tool
    `Sure. ${one}`, // "required": the reply is calls only
    `${one} Done.`,
  ];
}

const ajv = new Ajv();
const validators = { get_weather: ajv.compile(WEATHER), get_time: ajv.compile(TIME) };

describe("tool-call grammars (checked with a GBNF recognizer)", () => {
  for (const family of Object.keys(TEMPLATES) as (keyof typeof TEMPLATES)[]) {
    test(`${family}: accepts canonical calls, which parse into schema-valid calls`, () => {
      const { plan, g } = grammarFor(family);
      for (const text of CANONICAL[family]) {
        expect(g.accepts(text)).toBe(true);
        const p = plan.parser as ToolCallParser;
        const r = p.add(text);
        const end = p.finish();
        const calls = [...r.calls, ...end.calls];
        expect(r.content + end.content).toBe("");
        expect(calls.length).toBeGreaterThan(0);
        for (const c of calls)
          expect(validators[c.function.name as keyof typeof validators](c.function.arguments)).toBe(true);
        plan.parser = new ToolCallParser(plan.syntax as never, ["get_weather", "get_time"]);
      }
    });

    test(`${family}: rejects invalid arguments, unknown tools and surrounding text`, () => {
      const { g } = grammarFor(family);
      for (const text of invalid(family)) expect({ text, ok: g.accepts(text) }).toEqual({ text, ok: false });
    });

    test(`${family}: a named choice allows only that function; parallel false allows one call`, () => {
      const named = grammarFor(family, { name: "get_time" }).g;
      expect(named.accepts(CANONICAL[family][0])).toBe(false);
      const single = grammarFor(family, "required", false).g;
      expect(single.accepts(CANONICAL[family][0])).toBe(true);
      expect(single.accepts(CANONICAL[family][1])).toBe(false);
    });
  }

  test("lazy triggers for bare JSON fire only on prefixes the grammar accepts", () => {
    const { plan, g } = grammarFor("llama3", "auto");
    const patterns = (plan.request.grammar_lazy?.patterns ?? []).map((p) => new RegExp(p));
    const call = '{"name": "get_time", "parameters": {"tz": "UTC"}}';
    const cases: [string, string][] = [
      ["{", call.slice(1)],
      ['{"', call.slice(2)],
      ["  \n{ ", call.slice(1)],
      ['{\n  "', `${call.slice(2, -1)}\n}`],
      ["[", `${call}]`],
      ['[{"', `${call.slice(2)}]`],
    ];
    for (const [prefix, rest] of cases) {
      const m = patterns.map((p) => p.exec(prefix)).find((x) => x);
      expect(m).toBeTruthy();
      const fed = prefix.slice(m?.index ?? 0).slice((m?.[0] ?? "").indexOf(m?.[1] ?? ""));
      expect({ prefix, ok: g.accepts(fed + rest) }).toEqual({ prefix, ok: true });
    }
    for (const text of ["{}", '{"x', "Hello {", '{"name"'])
      expect(patterns.some((p) => p.test(text))).toBe(false);
  });
});
