import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { llamaSourceDir } from "../gguf/synth/llama-source.ts";
import { parseTemplate, renderTemplate } from "./go-template.ts";
import { compileJinja, renderJinja } from "./jinja.ts";
import { goThinkValues, jinjaThinkVars, type Think } from "./think.ts";
import { goThinkingTags, jinjaThinkingTags } from "./think-tags.ts";

const llamaTemplate = (file: string) =>
  readFileSync(join(llamaSourceDir(), "models", "templates", file), "utf8");
const user = [{ role: "user", content: "hi" }];
const THINKS: Think[] = [undefined, false, true, "low", "medium", "high", "max"];

describe("Go template values", () => {
  // Ollama: Think = ThinkValue.Bool(), ThinkLevel = ThinkValue.String() ("medium" for true), IsThinkSet = set.
  const want: Record<string, string> = {
    undefined: "false||false",
    false: "false||true",
    true: "true|medium|true",
    low: "true|low|true",
    medium: "true|medium|true",
    high: "true|high|true",
    max: "true|max|true",
  };
  const tpl = parseTemplate("{{ .Think }}|{{ .ThinkLevel }}|{{ .IsThinkSet }}{{ range .Messages }}{{ end }}");
  const legacy = parseTemplate("{{ .Think }}|{{ .ThinkLevel }}|{{ .IsThinkSet }}{{ .Prompt }}");
  for (const think of THINKS) {
    test(`think ${String(think)}`, () => {
      expect(renderTemplate(tpl, { messages: user, ...goThinkValues(think) })).toBe(
        want[String(think)] ?? "",
      );
      expect(renderTemplate(legacy, { messages: user, ...goThinkValues(think) })).toBe(
        `${want[String(think)]}hi`,
      );
    });
  }

  test("a template that prefills <think> when .Think is set", () => {
    const t = parseTemplate(
      "{{ range .Messages }}{{ .Content }}{{ end }}|{{ if .Think }}<think>\n{{ else if .IsThinkSet }}<think></think>{{ end }}",
    );
    const run = (think: Think) => renderTemplate(t, { messages: user, ...goThinkValues(think) });
    expect([run(undefined), run(false), run(true), run("high")]).toEqual([
      "hi|",
      "hi|<think></think>",
      "hi|<think>\n",
      "hi|<think>\n",
    ]);
  });
});

describe("Jinja variables", () => {
  test("each think value", () => {
    expect(THINKS.map(jinjaThinkVars)).toEqual([
      {},
      { enable_thinking: false },
      { enable_thinking: true },
      { enable_thinking: true, reasoning_effort: "low", reasoning_strength: "low" },
      { enable_thinking: true, reasoning_effort: "medium", reasoning_strength: "medium" },
      { enable_thinking: true, reasoning_effort: "high", reasoning_strength: "high" },
      { enable_thinking: true, reasoning_effort: "max", reasoning_strength: "max" },
    ]);
  });

  test("Qwen3 closes thinking in the prompt only for enable_thinking false", () => {
    const t = compileJinja(llamaTemplate("Qwen-Qwen3-0.6B.jinja"));
    const run = (think: Think) => renderJinja(t, { messages: user, extra: jinjaThinkVars(think) });
    expect(run(undefined)).toEndWith("<|im_start|>assistant\n");
    expect(run(true)).toEndWith("<|im_start|>assistant\n");
    expect(run("high")).toEndWith("<|im_start|>assistant\n");
    expect(run(false)).toEndWith("<|im_start|>assistant\n<think>\n\n</think>\n\n");
  });

  test("Qwen3.5 opens thinking in the prompt unless enable_thinking is false", () => {
    const t = compileJinja(llamaTemplate("Qwen3.5-4B.jinja"));
    const run = (think: Think) => renderJinja(t, { messages: user, extra: jinjaThinkVars(think) });
    expect(run(true)).toEndWith("<|im_start|>assistant\n<think>\n");
    expect(run(false)).toEndWith("<|im_start|>assistant\n<think>\n\n</think>\n\n");
  });

  test("gpt-oss reads reasoning_effort (medium when unset)", () => {
    const t = compileJinja(llamaTemplate("openai-gpt-oss-120b.jinja"));
    const run = (think: Think) => renderJinja(t, { messages: user, extra: jinjaThinkVars(think) });
    expect(run(undefined)).toContain("Reasoning: medium");
    expect(run(true)).toContain("Reasoning: medium");
    expect(run("low")).toContain("Reasoning: low");
    expect(run("high")).toContain("Reasoning: high");
  });
});

describe("thinking tags of Go templates", () => {
  const tags = (src: string) => {
    const t = parseTemplate(src);
    return goThinkingTags(t.nodes, t.vars, t.source);
  };

  // Ollama's thinking/template_test.go cases.
  test("inferred around .Thinking inside the range over .Messages", () => {
    expect(
      tags(`{{ if .Thinking}}/think{{ end }}
{{- range $i, $_ := .Messages }}
  {{- $last := eq (len (slice $.Messages $i)) 1 -}}
  {{ if and $last .Thinking }}
    <think>{{ .Thinking }}</think>
  {{ end }}
{{ end }}`),
    ).toEqual({ open: "<think>", close: "</think>" });
  });

  test("whatever text surrounds it, trimmed", () => {
    expect(
      tags(`{{- range $i, $_ := .Messages }}{{ if .Thinking }}
  Some text before   {{ .Thinking }}    Some text after
{{ end }}{{ end }}`),
    ).toEqual({ open: "Some text before", close: "Some text after" });
  });

  test("not inside a range over something else", () => {
    expect(
      tags(`{{- range $i, $_ := .Messages }}{{- range $j, $_ := .NotMessages }}
{{ if .Thinking }}[[{{ .Thinking }}]]{{ end }}{{ end }}{{ end }}`),
    ).toBeUndefined();
  });

  test("$msg.Thinking and range $.Messages count too", () => {
    expect(
      tags(
        "{{ range $i, $m := $.Messages }}{{ if $m.Thinking }}<reason>{{ $m.Thinking }}</reason>{{ end }}{{ end }}",
      ),
    ).toEqual({ open: "<reason>", close: "</reason>" });
  });

  test("a template that only prefills a known tag when .Think is set", () => {
    expect(
      tags("{{ range .Messages }}{{ .Content }}{{ end }}{{ if .Think }}<think>\n{{ end }}</think>"),
    ).toEqual({
      open: "<think>",
      close: "</think>",
    });
  });

  test("none for templates that never think", () => {
    expect(tags("{{ range .Messages }}<|{{ .Role }}|>{{ .Content }}{{ end }}")).toBeUndefined();
    // Known tags in plain text do not make a template think without .Think/.Thinking.
    expect(tags("Use <think></think>. {{ .Prompt }}")).toBeUndefined();
  });
});

describe("thinking tags of Jinja templates", () => {
  const cases: [string, string | undefined][] = [
    ["Qwen-Qwen3-0.6B.jinja", "<think>"],
    ["Qwen3.5-4B.jinja", "<think>"],
    ["deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja", "<think>"],
    ["ByteDance-Seed-OSS.jinja", "<seed:think>"],
    ["mistralai-Ministral-3-14B-Reasoning-2512.jinja", "[THINK]"],
    ["CohereForAI-c4ai-command-r7b-12-2024-tool_use.jinja", "<|START_THINKING|>"],
    ["meta-llama-Llama-3.1-8B-Instruct.jinja", undefined],
    ["Qwen-Qwen2.5-7B-Instruct.jinja", undefined],
    // Harmony channels are not tags this parser can split.
    ["openai-gpt-oss-120b.jinja", undefined],
  ];
  for (const [file, open] of cases) {
    test(file, () => {
      expect(jinjaThinkingTags(llamaTemplate(file))?.open).toBe(open);
    });
  }

  test("a template that only splits reasoning off at </think>", () => {
    const src = "{% set content = message.content.split('</think>')[-1] %}";
    expect(jinjaThinkingTags(src)).toEqual({ open: "<think>", close: "</think>" });
    expect(jinjaThinkingTags(`${src}{{ message.reasoning_content }}`)).toBeUndefined();
  });
});
