import { describe, expect, test } from "bun:test";
import { goTemplates, toolModels } from "../../../test/fixtures/models.ts";
import type { ChatMessage, Tool } from "../../templates/messages.ts";
import { parseTemplate, renderTemplate } from "../../templates/go-template.ts";
import { compileJinja, renderJinja } from "../../templates/jinja.ts";
import { getArray, getNumber, getString } from "../metadata.ts";
import { readGguf } from "../reader.ts";
import { NAMED_TEMPLATES, namedTemplateSource, resolveTemplate, TEMPLATE_NAMES } from "./chat-templates.ts";
import { parseSynthArgs } from "./cli.ts";
import { SynthOptionError } from "./errors.ts";
import { GO_TEMPLATES } from "./go-templates.ts";
import { vocabPath } from "./llama-source.ts";
import { resolveSynthOptions } from "./synthesize.ts";

const tools: Tool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Get the weather",
      parameters: { type: "object", required: ["city"], properties: { city: { type: "string" } } },
    },
  },
];
const ask: ChatMessage[] = [{ role: "user", content: "Weather in Paris?" }];
// Mistral's template insists on 9-character alphanumeric call ids.
const roundTrip: ChatMessage[] = [
  { role: "system", content: "Be brief." },
  ...ask,
  {
    role: "assistant",
    content: "",
    tool_calls: [{ id: "call12345", function: { name: "get_weather", arguments: { city: "Paris" } } }],
  },
  { role: "tool", content: "sunny", tool_name: "get_weather", tool_call_id: "call12345" },
];
const now = new Date(2025, 0, 15);

/** Per family: fixture, Jinja bos/eos, how the tool call and the tool result show up, the generation prompt. */
const FAMILIES = {
  "qwen2.5": {
    model: toolModels.qwen25,
    go: goTemplates.qwen25,
    bos: "",
    eos: "<|im_end|>",
    call: '<tool_call>\n{"name": "get_weather", "arguments": {"city":',
    result: "<tool_response>\nsunny\n</tool_response>",
    prompt: "<|im_start|>assistant\n",
  },
  qwen3: {
    model: toolModels.qwen3,
    go: goTemplates.qwen3,
    bos: "",
    eos: "<|im_end|>",
    call: '<tool_call>\n{"name": "get_weather", "arguments": {"city":',
    result: "<tool_response>\nsunny\n</tool_response>",
    prompt: "<|im_start|>assistant\n",
  },
  "llama3.1": {
    model: toolModels.llama31,
    go: goTemplates.llama31,
    bos: "<|begin_of_text|>",
    eos: "<|eot_id|>",
    call: '{"name": "get_weather", "parameters": {"city":',
    result: "<|start_header_id|>ipython<|end_header_id|>\n\n",
    prompt: "<|start_header_id|>assistant<|end_header_id|>\n\n",
  },
  "llama3.2": {
    model: toolModels.llama32,
    go: goTemplates.llama32,
    bos: "<|begin_of_text|>",
    eos: "<|eot_id|>",
    call: '{"name": "get_weather", "parameters": {"city":',
    result: "<|start_header_id|>ipython<|end_header_id|>\n\n",
    prompt: "<|start_header_id|>assistant<|end_header_id|>\n\n",
  },
  mistral: {
    model: toolModels.mistral,
    go: goTemplates.mistral,
    bos: "<s>",
    eos: "</s>",
    call: '[{"name": "get_weather", "arguments": {"city":',
    result: "[TOOL_RESULTS]",
    prompt: "[/INST]",
  },
} as const;

describe("named templates in generated GGUFs", () => {
  for (const [name, f] of Object.entries(FAMILIES)) {
    test(`${name}: the GGUF carries llama.cpp's template file, and its ids and tokens`, async () => {
      const file = await readGguf(await f.model());
      const t = NAMED_TEMPLATES[name];
      if (t === undefined) throw new Error(name);
      expect(getString(file, "tokenizer.chat_template")).toBe(await namedTemplateSource(name));
      expect(getString(file, "general.name")).toBe(`synth-tiny-${t.vocab}-${name}`);
      for (const [key, value] of Object.entries(t.overrides))
        expect(getNumber(file, key)).toBe(value.value as number);
      const tokens = getArray(file, "tokenizer.ggml.tokens") as string[];
      const types = getArray(file, "tokenizer.ggml.token_type") as number[];
      const original = getArray(await readGguf(vocabPath(t.vocab)), "tokenizer.ggml.tokens") as string[];
      expect(tokens.length).toBe(original.length);
      for (const [id, [text, kind]] of Object.entries(t.tokens)) {
        // Only placeholder slots are renamed; every real token stays where it was.
        expect(original[Number(id)]).toMatch(/^(\[PAD\d+\]|<\|reserved_special_token_\d+\|>)$/);
        expect(tokens[Number(id)]).toBe(text);
        expect(types[Number(id)]).toBe(kind);
      }
    });

    test(`${name}: Jinja renders tools, a tool call and its result`, async () => {
      const jinja = compileJinja(await namedTemplateSource(name));
      const values = { tools, bosToken: f.bos, eosToken: f.eos, now };
      const first = renderJinja(jinja, { ...values, messages: ask });
      expect(first.startsWith(f.bos)).toBe(true);
      expect(first).toContain('"name": "get_weather"');
      expect(first).toContain("Weather in Paris?");
      expect(first.endsWith(f.prompt)).toBe(true);
      const later = renderJinja(jinja, { ...values, messages: roundTrip });
      // Mistral places the system prompt in the last user turn only, which here precedes the call.
      if (name !== "mistral") expect(later).toContain("Be brief.");
      expect(later).toContain(f.call);
      expect(later).toContain(f.result);
      expect(later.indexOf(f.call)).toBeLessThan(later.lastIndexOf(f.result));
    });

    test(`${name}: the registry Go TEMPLATE renders tools, a tool call and its result`, () => {
      expect(f.go).toBe(GO_TEMPLATES[name] as string);
      const go = parseTemplate(f.go);
      const first = renderTemplate(go, { messages: ask, tools, now });
      expect(first).toContain('"name":"get_weather"');
      expect(first).toContain("Weather in Paris?");
      expect(first.endsWith(f.prompt === "[/INST]" ? "Weather in Paris?[/INST]" : f.prompt)).toBe(true);
      const later = renderTemplate(go, { messages: roundTrip, tools, now });
      expect(later).toContain(f.call);
      expect(later).toContain(f.result);
    });
  }

  test("Qwen3 with enable_thinking false opens an empty think block (Jinja and Go)", async () => {
    const jinja = compileJinja(await namedTemplateSource("qwen3"));
    const off = renderJinja(jinja, { messages: ask, extra: { enable_thinking: false } });
    expect(off).toBe(
      "<|im_start|>user\nWeather in Paris?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
    );
    const on = renderJinja(jinja, { messages: ask, extra: { enable_thinking: true } });
    expect(on.endsWith("<|im_start|>assistant\n")).toBe(true);
    const go = parseTemplate(goTemplates.qwen3);
    expect(renderTemplate(go, { messages: ask, think: false, isThinkSet: true })).toBe(
      "<|im_start|>user\nWeather in Paris? /no_think<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
    );
    expect(renderTemplate(go, { messages: ask, think: true, isThinkSet: true })).toBe(
      "<|im_start|>user\nWeather in Paris? /think<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  test("Qwen3 keeps only the current turn's thinking", async () => {
    const msgs: ChatMessage[] = [
      ...ask,
      { role: "assistant", content: "Sunny.", thinking: "old" },
      { role: "user", content: "And Rome?" },
      { role: "assistant", content: "", thinking: "new" },
    ];
    const jinja = renderJinja(compileJinja(await namedTemplateSource("qwen3")), { messages: msgs });
    expect(jinja).not.toContain("old");
    expect(jinja).toContain("<think>\nnew\n</think>");
    const go = renderTemplate(parseTemplate(goTemplates.qwen3), {
      messages: msgs,
      think: true,
      isThinkSet: true,
    });
    expect(go).not.toContain("old");
    expect(go).toContain("<think>new</think>");
  });
});

describe("template option", () => {
  test("a template is refused with a vocabulary it does not fit, or an unknown name", () => {
    for (const [template, vocab] of [
      ["qwen3", "llama-bpe"],
      ["qwen2.5", "llama-spm"],
      ["llama3.1", "qwen2"],
      ["llama3.2", "phi-3"],
      ["mistral", "qwen2"],
    ]) {
      expect(() =>
        resolveSynthOptions({ preset: "tiny", quant: "f32", vocab: vocab as string, template }),
      ).toThrow(SynthOptionError);
    }
    expect(() =>
      resolveSynthOptions({ preset: "embed", quant: "f32", vocab: "bert-bge", template: "qwen3" }),
    ).toThrow(SynthOptionError);
    expect(() => resolveTemplate("qwen4", "qwen2")).toThrow(/unknown template "qwen4"/);
  });

  test("default (or no) template keeps the vocabulary's own", () => {
    expect(TEMPLATE_NAMES).toEqual(["default", "qwen2.5", "qwen3", "llama3.1", "llama3.2", "mistral"]);
    expect(resolveTemplate(undefined, "qwen2")).toBeUndefined();
    expect(resolveTemplate("default", "bert-bge")).toBeUndefined();
    expect(resolveTemplate("qwen3", "qwen2")?.file).toBe("Qwen-Qwen3-0.6B.jinja");
  });

  test("--template parses", () => {
    const base = ["--preset", "tiny", "--quant", "f32", "--vocab", "qwen2", "--out", "x.gguf"];
    expect(parseSynthArgs([...base, "--template", "qwen3"]).template).toBe("qwen3");
    expect("template" in parseSynthArgs(base)).toBe(false);
    expect(() => parseSynthArgs([...base, "--template"])).toThrow(SynthOptionError);
  });
});
