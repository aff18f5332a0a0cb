import { describe, expect, test } from "bun:test";
import { GO_TEMPLATES } from "../../templates/fixtures/go.ts";
import { parseTemplate } from "../../templates/index.ts";
import { goToolCallTag } from "./go-tag.ts";
import { detectToolSyntax, type ToolFamily } from "./syntax.ts";
import { GO_TEMPLATES as REGISTRY } from "../../gguf/synth/go-templates.ts";
import { goTemplate, jinjaTemplate } from "./test-templates.ts";

describe("goToolCallTag (Ollama's rules: first text inside {{ if .ToolCalls }}, cut before {)", () => {
  const cases: [string, string][] = [
    ["", "{"],
    ["{{if .ToolCalls}}{{end}}", "{"],
    ["{{if .ToolCalls}}{{range .ToolCalls}}{{ . }}{{end}}{{end}}", "{"],
    ["{{if .ToolCalls}}```json\n{{end}}", "```json"],
    ["{{if .ToolCalls}}[{{range .ToolCalls}}{{ . }}{{end}}]{{end}}", "["],
    ["{{if .ToolCalls}}\n [ {{range .ToolCalls}}{{ . }}{{end}}]{{end}}", "["],
    ["{{if .ToolCalls}}{{range .ToolCalls}}{{ . }}{{end}}]{{end}}", "{"],
    ["{{if .ToolCalls}} {{range .ToolCalls}}{{ . }}{{end}}{{end}}", "{"],
    [
      '{{if .ToolCalls}}{{range .ToolCalls}}\r\n{"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}{{end}}{{end}}',
      "{",
    ],
    [
      '{{if .ToolCalls}}{{range .ToolCalls}}<tool_call>{"name": "{{ .Function.Name }}", "arguments": {{ .Function.Arguments }}}</tool_call>{{end}}{{end}}',
      "<tool_call>",
    ],
    ["{{if .ToolCalls}}First text{{if .Something}}inner{{end}}Second text{{end}}", "First text"],
    ["{{if .ToolCalls}}Action: ```json{{end}}", "Action: ```json"],
    ["{{if .ToolCalls}}functools[{{end}}", "functools["],
    ["{{if .ToolCalls}}[TOOL_CALL] [{{end}}", "[TOOL_CALL] ["],
    ["{{if .Content}}x{{else if .ToolCalls}}<tool_call>\n{{end}}", "<tool_call>"],
    ["{{range .Messages}}{{if .ToolCalls}}[TOOL_CALLS] [{{end}}{{end}}", "[TOOL_CALLS] ["],
  ];
  for (const [src, want] of cases)
    test(JSON.stringify(src).slice(0, 70), () => expect(goToolCallTag(parseTemplate(src).nodes)).toBe(want));
});

describe("detectToolSyntax", () => {
  const jinja: [string, ToolFamily][] = [
    ["Qwen-Qwen2.5-7B-Instruct", "hermes"],
    ["Qwen-Qwen3-0.6B", "hermes"],
    ["Qwen-QwQ-32B", "hermes"],
    ["NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use", "hermes"],
    ["NousResearch-Hermes-3-Llama-3.1-8B-tool_use", "hermes"],
    ["meta-llama-Llama-3.1-8B-Instruct", "llama3"],
    ["meta-llama-Llama-3.2-3B-Instruct", "llama3"],
    ["meta-llama-Llama-3.3-70B-Instruct", "llama3"],
    ["mistralai-Mistral-Nemo-Instruct-2407", "mistral"],
    ["Mistral-Small-3.2-24B-Instruct-2506", "mistral-args"],
    ["unsloth-mistral-Devstral-Small-2507", "mistral-args"],
    ["mistralai-Ministral-3-14B-Reasoning-2512", "mistral-args"],
    // <tool_call> around XML parameters is not Hermes' JSON: the plain-JSON fallback, not a wrong parser.
    ["Qwen3-Coder", "json"],
    ["google-gemma-2-2b-it", "json"],
  ];
  for (const [name, family] of jinja)
    test(`jinja ${name} → ${family}`, () =>
      expect(detectToolSyntax(jinjaTemplate(name)).family).toBe(family));

  test("argument keys follow the template: Llama writes parameters, the others arguments", () => {
    expect(detectToolSyntax(jinjaTemplate("meta-llama-Llama-3.2-3B-Instruct")).argsKey).toBe("parameters");
    expect(detectToolSyntax(jinjaTemplate("Qwen-Qwen2.5-7B-Instruct")).argsKey).toBe("arguments");
  });

  test("registry Go templates: qwen2.5/qwen3 → hermes, llama3.1/3.2 → llama3, mistral → mistral", () => {
    const family = (name: string) => detectToolSyntax(goTemplate(REGISTRY[name] as string));
    expect(family("qwen2.5")).toMatchObject({ family: "hermes", close: "</tool_call>" });
    expect(family("qwen3")).toMatchObject({ family: "hermes" });
    for (const name of ["llama3.1", "llama3.2"])
      expect(family(name)).toMatchObject({ family: "llama3", leadingJson: true, argsKey: "parameters" });
    expect(family("mistral")).toMatchObject({ family: "mistral", tags: ["[TOOL_CALLS]"] });
    expect(detectToolSyntax(goTemplate(GO_TEMPLATES.llama31Tools))).toMatchObject({ family: "llama3" });
  });

  test("Go templates with other tags or none: tagged, or the JSON fallback", () => {
    const tagged = detectToolSyntax(
      goTemplate(
        '{{if .ToolCalls}}```json\n{{range .ToolCalls}}{"name": "{{.Function.Name}}", "arguments": {{.Function.Arguments}}}{{end}}```{{end}}',
      ),
    );
    expect(tagged).toMatchObject({ family: "tagged", tags: ["```json"], argsKey: "arguments" });
    expect(detectToolSyntax(goTemplate(GO_TEMPLATES.chatml))).toMatchObject({
      family: "json",
      leadingJson: true,
    });
  });
});
