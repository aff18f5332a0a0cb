/**
 * Tool-call grammars on a real runner: what a random-weight model generates under each family's grammar
 * (temperature 1, several seeds) parses into calls whose arguments validate; lazy grammars stay free until
 * their trigger — a special token or a reply starting with `{` — and constrain from there.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Ajv from "ajv";
import type { ToolCallParser } from "../../src/inference/tools/parser.ts";
import { planTools } from "../../src/inference/tools/plan.ts";
import { detectToolSyntax } from "../../src/inference/tools/syntax.ts";
import { goTemplate, jinjaTemplate } from "../../src/inference/tools/test-templates.ts";
import { GO_TEMPLATES } from "../../src/gguf/synth/go-templates.ts";
import type { RunnerClient } from "../../src/runner/client.ts";
import { models } from "./helpers.ts";
import { toolModels } from "../fixtures/models.ts";
import { TIME_PARAMETERS, weatherAndTimeTools, weatherParameters } from "../fixtures/tools.ts";
import { closeAll, collect, startRunner } from "../runner/helpers.ts";

// The city is bounded so a random-weight model sampled at temperature 1 always closes the string.
const WEATHER = weatherParameters(12);
const TOOLS = weatherAndTimeTools(WEATHER);
const ajv = new Ajv();
const valid: Record<string, (v: unknown) => boolean> = {
  get_weather: ajv.compile(WEATHER),
  get_time: ajv.compile(TIME_PARAMETERS),
};

const TEMPLATES = {
  hermes: jinjaTemplate("Qwen-Qwen2.5-7B-Instruct"),
  llama3: goTemplate(GO_TEMPLATES["llama3.1"] as string),
  mistral: goTemplate(GO_TEMPLATES.mistral as string),
  "mistral-args": jinjaTemplate("Mistral-Small-3.2-24B-Instruct-2506"),
  json: jinjaTemplate("google-gemma-2-2b-it"),
};

/** Runs the reply through the plan's parser. */
function parse(parser: ToolCallParser | undefined, text: string) {
  const p = parser as ToolCallParser;
  const a = p.add(text);
  const b = p.finish();
  return { content: a.content + b.content, calls: [...a.calls, ...b.calls] };
}

let spm: RunnerClient;
let qwen: RunnerClient;

beforeAll(async () => {
  [spm, qwen] = await Promise.all([
    startRunner(await models.chat(), { num_ctx: 1024, num_parallel: 2 }),
    startRunner(await toolModels.qwen25(), { num_ctx: 1024, num_parallel: 1 }),
  ]);
});
afterAll(closeAll);

describe("tool-call grammars on a runner", () => {
  for (const [family, template] of Object.entries(TEMPLATES)) {
    test(`${family}: "required" replies parse into schema-valid calls (2 seeds)`, async () => {
      expect(detectToolSyntax(template).family).toBe(family as never);
      for (const seed of [1, 2]) {
        const plan = planTools({ template, tools: TOOLS, choice: "required", parallel: false });
        const out = await collect(spm, {
          prompt: "Call a tool.",
          grammar: plan.request.grammar,
          options: { temperature: 1, seed, num_predict: 400 },
        });
        expect(out.done.done_reason).toBe("stop");
        const r = parse(plan.parser as ToolCallParser, out.text);
        expect({ seed, text: out.text, content: r.content.trim(), calls: r.calls.length }).toEqual({
          seed,
          text: out.text,
          content: "",
          calls: 1,
        });
        for (const c of r.calls) expect(valid[c.function.name]?.(c.function.arguments)).toBe(true);
      }
    });
  }

  test("a named choice only ever calls that function", async () => {
    for (const seed of [4, 5]) {
      const plan = planTools({
        template: TEMPLATES.hermes,
        tools: TOOLS,
        choice: { name: "get_time" },
        parallel: false,
      });
      const out = await collect(spm, {
        prompt: "What time is it?",
        grammar: plan.request.grammar,
        options: { temperature: 1, seed, num_predict: 400 },
      });
      const r = parse(plan.parser as ToolCallParser, out.text);
      expect(r.calls.length).toBeGreaterThan(0);
      for (const c of r.calls) expect(c.function.name).toBe("get_time");
    }
  });
});

describe("lazy grammars", () => {
  test("bare JSON: free text stays free; a reply that starts with { is constrained into a call", async () => {
    const plan = planTools({ template: TEMPLATES.llama3, tools: TOOLS });
    expect(plan.request.grammar_lazy?.patterns.length).toBeGreaterThan(0);
    const free = await collect(spm, {
      prompt: "Hello",
      grammar: plan.request.grammar,
      grammar_lazy: plan.request.grammar_lazy,
      options: { temperature: 1, seed: 1, num_predict: 24 },
    });
    expect(free.done.timings.predicted_n).toBeGreaterThan(0);
    // Force the first token to be "{" with a logit bias: the trigger fires and the rest is a call.
    const brace = (await spm.tokenize("{", { addSpecial: false, parseSpecial: true })).at(-1) as number;
    expect(await spm.detokenize([brace])).toContain("{");
    for (const seed of [1, 2]) {
      const out = await collect(spm, {
        prompt: "Hello",
        grammar: plan.request.grammar,
        grammar_lazy: plan.request.grammar_lazy,
        logit_bias: { [brace]: 100 },
        options: { temperature: 1, seed, num_predict: 400 },
      });
      const r = parse(
        planTools({ template: TEMPLATES.llama3, tools: TOOLS }).parser as ToolCallParser,
        out.text,
      );
      expect({ text: out.text, calls: r.calls.length > 0 }).toEqual({ text: out.text, calls: true });
      for (const c of r.calls) expect(valid[c.function.name]?.(c.function.arguments)).toBe(true);
    }
  });

  test("a word the vocabulary holds as one special token triggers on that token", async () => {
    const [imStart] = await qwen.tokenize("<|im_start|>", { addSpecial: false, parseSpecial: true });
    const lazy = { words: ["<|im_start|>"], patterns: [] };
    const grammar = 'root ::= "<|im_start|>" "ok"';
    const forced = await collect(qwen, {
      prompt: "Hi",
      grammar,
      grammar_lazy: lazy,
      logit_bias: { [imStart as number]: 100 },
      options: { temperature: 1, seed: 1, num_predict: 50 },
    });
    expect(forced.tokens[0]).toBe(imStart as number);
    expect(forced.text.endsWith("ok")).toBe(true);
    expect(forced.done.done_reason).toBe("stop");
    // Never triggered (the token is banned): generation runs free to num_predict.
    const free = await collect(qwen, {
      prompt: "Hi",
      grammar,
      grammar_lazy: lazy,
      logit_bias: { [imStart as number]: -100 },
      options: { temperature: 1, seed: 1, num_predict: 20 },
    });
    expect(free.tokens).not.toContain(imStart);
  });
});
