import { describe, expect, test } from "bun:test";
import { Template } from "@huggingface/jinja";
import {
  CHATML_TEMPLATE,
  LLAMA2_TEMPLATE,
  LLAMA3_TEMPLATE,
  PHI3_TEMPLATE,
  QWEN2_TEMPLATE,
} from "./templates.ts";

const messages = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "Hi" },
  { role: "assistant", content: "Hello!" },
  { role: "user", content: "Bye" },
];

function render(
  src: string,
  msgs: unknown[],
  addGenerationPrompt: boolean,
  bos = "<s>",
  eos = "</s>",
): string {
  return new Template(src).render({
    messages: msgs,
    add_generation_prompt: addGenerationPrompt,
    bos_token: bos,
    eos_token: eos,
  });
}

describe("chat templates render as the real models' templates do", () => {
  test("Llama 2", () => {
    expect(render(LLAMA2_TEMPLATE, messages, true)).toBe(
      "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] Bye [/INST]",
    );
    expect(render(LLAMA2_TEMPLATE, messages.slice(1, 2), true)).toBe("<s>[INST] Hi [/INST]");
    expect(() => render(LLAMA2_TEMPLATE, [messages[2]], true)).toThrow();
  });

  test("Llama 3", () => {
    const out = render(LLAMA3_TEMPLATE, messages, true, "<|begin_of_text|>", "<|eot_id|>");
    expect(out).toBe(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>" +
        "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>" +
        "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>" +
        "<|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|>" +
        "<|start_header_id|>assistant<|end_header_id|>\n\n",
    );
    expect(render(LLAMA3_TEMPLATE, messages.slice(1, 2), false, "B")).toBe(
      "B<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
    );
  });

  test("Qwen2 ChatML adds its default system message only when none is given", () => {
    expect(render(QWEN2_TEMPLATE, messages.slice(1, 2), true)).toBe(
      "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    );
    expect(render(QWEN2_TEMPLATE, messages.slice(0, 2), false)).toBe(
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n",
    );
  });

  test("plain ChatML", () => {
    expect(render(CHATML_TEMPLATE, messages.slice(0, 2), true)).toBe(
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    );
  });

  test("Phi-3", () => {
    expect(render(PHI3_TEMPLATE, messages.slice(0, 3), true, "<s>", "<|endoftext|>")).toBe(
      "<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello!<|end|>\n<|assistant|>\n",
    );
    expect(render(PHI3_TEMPLATE, messages.slice(1, 2), false, "<s>", "<|endoftext|>")).toBe(
      "<|user|>\nHi<|end|>\n<|endoftext|>",
    );
  });
});
