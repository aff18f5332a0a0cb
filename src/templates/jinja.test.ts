import { describe, expect, test } from "bun:test";
import { TemplateParseError, TemplateRenderError } from "./errors.ts";
import { CONVERSATIONS } from "./fixtures/go.ts";
import { GO_EXPECTED } from "./fixtures/go-expected.ts";
import { JINJA_TEMPLATES } from "./fixtures/jinja.ts";
import { compileJinja, renderJinja, strftime } from "./jinja.ts";

const conv = CONVERSATIONS["system-user-assistant-user"];
const noSystem = CONVERSATIONS["user-assistant-user"];

describe("Hugging Face chat templates", () => {
  test("Llama 3 matches Ollama's Go rendering after the BOS token", () => {
    const got = renderJinja(compileJinja(JINJA_TEMPLATES.llama3), {
      messages: conv,
      bosToken: "<|begin_of_text|>",
    });
    expect(got).toBe(`<|begin_of_text|>${GO_EXPECTED.llama3?.["system-user-assistant-user"]}`);
  });

  test("ChatML adds its default system prompt and matches the Go template otherwise", () => {
    const t = compileJinja(JINJA_TEMPLATES.chatml);
    expect(renderJinja(t, { messages: conv })).toBe(
      GO_EXPECTED.chatml?.["system-user-assistant-user"] as string,
    );
    expect(renderJinja(t, { messages: noSystem })).toStartWith(
      "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n",
    );
  });

  test("Phi-3 matches, and without a generation prompt ends in eos", () => {
    const t = compileJinja(JINJA_TEMPLATES.phi3);
    expect(renderJinja(t, { messages: conv })).toBe(
      GO_EXPECTED.phi3?.["system-user-assistant-user"] as string,
    );
    expect(
      renderJinja(t, { messages: noSystem, addGenerationPrompt: false, eosToken: "<|endoftext|>" }),
    ).toEndWith("<|end|>\n<|endoftext|>");
  });

  test("Mistral renders [INST] turns with bos/eos", () => {
    const got = renderJinja(compileJinja(JINJA_TEMPLATES.mistral), {
      messages: noSystem,
      bosToken: "<s>",
      eosToken: "</s>",
    });
    expect(got).toBe(
      "<s>[INST] Hello, how are you? [/INST]I'm doing great. How can I help you today?</s>[INST] I'd like to show off how chat templating works! [/INST]",
    );
  });

  test("Gemma matches the Go template for user/assistant turns", () => {
    const got = renderJinja(compileJinja(JINJA_TEMPLATES.gemma), { messages: noSystem, bosToken: "<bos>" });
    expect(got).toBe(`<bos>${GO_EXPECTED.gemma?.["user-assistant-user"]}`);
  });

  test("raise_exception becomes a typed render error", () => {
    const t = compileJinja(JINJA_TEMPLATES.gemma);
    expect(() => renderJinja(t, { messages: conv })).toThrow(TemplateRenderError);
    expect(() => renderJinja(t, { messages: conv })).toThrow("System role not supported");
  });

  test("tools, tool calls and strftime_now", () => {
    const got = renderJinja(compileJinja(JINJA_TEMPLATES.llama31Tools), {
      now: new Date(2024, 6, 23),
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [{ function: { name: "get_weather", arguments: { city: "Paris" } } }],
        },
      ],
    });
    expect(got).toContain("Today Date: 23 Jul 2024");
    expect(got).toContain('"name": "get_weather"');
    expect(got).toContain('{"name": "get_weather", "parameters": {"city": "Paris"}}');
    // `{%- endif %}` trims the blank line after the final header, as Jinja does.
    expect(got).toEndWith("<|eot_id|><|start_header_id|>assistant<|end_header_id|>");
  });

  test("syntax errors are typed 400s", () => {
    expect(() => compileJinja("{% if %}")).toThrow(TemplateParseError);
  });

  test("strftime covers the directives templates use", () => {
    const d = new Date(2025, 0, 5, 9, 7, 3);
    expect(strftime(d, "%d %b %Y|%-d %B|%A %H:%M:%S %p|%y-%m|%%")).toBe(
      "05 Jan 2025|5 January|Sunday 09:07:03 AM|25-01|%",
    );
  });
});
