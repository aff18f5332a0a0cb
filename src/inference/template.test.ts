import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { QWEN3_GO_TEMPLATE } from "../gguf/synth/go-templates.ts";
import { llamaSourceDir } from "../gguf/synth/llama-source.ts";
import { compileJinja, parseTemplate, THINK_LEVELS } from "../templates/index.ts";
import type { ResolvedModel } from "./model.ts";
import { resolveThink } from "./request.ts";
import {
  type PromptTemplate,
  renderMessages,
  templateCapabilities,
  templateIsHarmony,
  thinkingTags,
} from "./template.ts";

const go = (source: string): PromptTemplate => ({ kind: "go", go: parseTemplate(source) });
const jinja = (file: string): PromptTemplate => ({
  kind: "jinja",
  jinja: compileJinja(readFileSync(join(llamaSourceDir(), "models", "templates", file), "utf8")),
  bos: "",
  eos: "",
  addBos: false,
});
const user = [{ role: "user", content: "hi" }];

describe("Ollama's qwen3 TEMPLATE", () => {
  const t = go(QWEN3_GO_TEMPLATE);

  test("thinks, with <think> tags", () => {
    expect(templateCapabilities(t)).toEqual(["tools", "thinking"]);
    expect(thinkingTags(t)).toEqual({ open: "<think>", close: "</think>" });
  });

  test("think false appends /no_think and closes an empty block; true appends /think", () => {
    expect(renderMessages(t, user, undefined, false)).toBe(
      "<|im_start|>user\nhi /no_think<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
    );
    expect(renderMessages(t, user, undefined, true)).toBe(
      "<|im_start|>user\nhi /think<|im_end|>\n<|im_start|>assistant\n",
    );
    expect(renderMessages(t, user)).toBe("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
  });

  test("the last turn's thinking is rendered only when think is set", () => {
    const msgs = [...user, { role: "assistant", content: "yo", thinking: "greet back" }];
    expect(renderMessages(t, msgs, undefined, true)).toContain("<think>greet back</think>\nyo");
    expect(renderMessages(t, msgs)).not.toContain("greet back");
  });
});

describe("Jinja templates", () => {
  test("Qwen3 thinks; enable_thinking false closes the block in the prompt", () => {
    const t = jinja("Qwen-Qwen3-0.6B.jinja");
    expect(templateCapabilities(t)).toContain("thinking");
    expect(renderMessages(t, user, undefined, false)).toEndWith("assistant\n<think>\n\n</think>\n\n");
    expect(renderMessages(t, user, undefined, true)).toEndWith("assistant\n");
  });

  test("gpt-oss is harmony: no tags this parser splits, reasoning_effort reaches it", () => {
    const t = jinja("openai-gpt-oss-120b.jinja");
    expect(templateIsHarmony(t)).toBe(true);
    expect(templateCapabilities(t)).not.toContain("thinking");
    expect(renderMessages(t, user, undefined, "low")).toContain("Reasoning: low");
  });

  test("Llama 3.1 does not think", () => {
    const t = jinja("meta-llama-Llama-3.1-8B-Instruct.jinja");
    expect(templateCapabilities(t)).not.toContain("thinking");
    expect(templateIsHarmony(t)).toBe(false);
  });
});

describe("resolveThink", () => {
  const model = (t: PromptTemplate) =>
    ({ name: "m", template: t, capabilities: ["completion", ...templateCapabilities(t)] }) as ResolvedModel;
  const thinker = model(go(QWEN3_GO_TEMPLATE));
  const plain = model(go("{{ range .Messages }}{{ .Content }}{{ end }}"));
  const harmony = { ...thinker, template: jinja("openai-gpt-oss-120b.jinja") } as ResolvedModel;

  test("a model that thinks: unset means on, values pass through", () => {
    expect(resolveThink(thinker, undefined)).toBe(true);
    expect(resolveThink(thinker, null)).toBe(true);
    for (const v of [true, false, ...THINK_LEVELS]) expect(resolveThink(thinker, v)).toBe(v);
  });

  test("harmony knows no max: it becomes high", () => {
    expect(resolveThink(harmony, "max")).toBe("high");
    expect(resolveThink(harmony, "low")).toBe("low");
  });

  test("a model that does not think: false and unset are accepted, anything on is a 400", () => {
    expect(resolveThink(plain, undefined)).toBeUndefined();
    expect(resolveThink(plain, false)).toBe(false);
    for (const v of [true, "low", "max"])
      expect(() => resolveThink(plain, v)).toThrow('"m" does not support thinking');
  });

  test("relaxed (the Anthropic API): a model that cannot think just does not", () => {
    expect(resolveThink(plain, true, true)).toBeUndefined();
    expect(resolveThink(plain, false, true)).toBe(false);
    expect(resolveThink(thinker, "high", true)).toBe("high");
  });

  test("invalid values, with Ollama's messages", () => {
    expect(() => resolveThink(thinker, "extreme")).toThrow(
      'invalid think value: "extreme" (must be "high", "medium", "low", "max", true, or false)',
    );
    expect(() => resolveThink(thinker, 1)).toThrow(
      'think must be a boolean or string ("high", "medium", "low", "max", true, or false)',
    );
  });
});
