/**
 * Named chat templates of tool- and thinking-capable instruct models. Their Jinja text is read at synth
 * time from the pinned llama.cpp source's `models/templates/` (as the models ship it in
 * tokenizer_config.json), so the generator never carries a hand-copied variant.
 */
import { join } from "node:path";
import type { Env } from "../../config/env.ts";
import { gv } from "../typed.ts";
import type { GgufTypedValue } from "../value.ts";
import { LlamaSourceError, SynthOptionError } from "./errors.ts";
import { llamaSourceDir } from "./llama-source.ts";

/** Name of the vocabulary's own default template (the one every synthetic model had before named templates). */
export const DEFAULT_TEMPLATE_NAME = "default";

/** llama.cpp token types (`tokenizer.ggml.token_type`). */
const CONTROL = 3;
const USER_DEFINED = 4;

/** A named template and what it needs from the vocabulary. */
export interface NamedTemplate {
  /** The one vocabulary this model family uses. */
  vocab: string;
  /** File under llama.cpp's `models/templates/`. */
  file: string;
  /** Token-id keys the real model's GGUF sets. */
  overrides: Record<string, GgufTypedValue>;
  /**
   * Added tokens of the real model that the llama.cpp vocabulary GGUF only has as placeholders
   * (`[PAD…]` / reserved specials): id → [text, token type]. Ids and count are unchanged.
   */
  tokens: Record<number, [string, number]>;
}

// Qwen2.5's added tokens after <|im_end|>; "special": true ones are CONTROL, the others USER_DEFINED
// (so <tool_call> stays visible in detokenized text, as in the real GGUFs).
const QWEN25_TOKENS: Record<number, [string, number]> = {
  151646: ["<|object_ref_start|>", CONTROL],
  151647: ["<|object_ref_end|>", CONTROL],
  151648: ["<|box_start|>", CONTROL],
  151649: ["<|box_end|>", CONTROL],
  151650: ["<|quad_start|>", CONTROL],
  151651: ["<|quad_end|>", CONTROL],
  151652: ["<|vision_start|>", CONTROL],
  151653: ["<|vision_end|>", CONTROL],
  151654: ["<|vision_pad|>", CONTROL],
  151655: ["<|image_pad|>", CONTROL],
  151656: ["<|video_pad|>", CONTROL],
  151657: ["<tool_call>", USER_DEFINED],
  151658: ["</tool_call>", USER_DEFINED],
  151659: ["<|fim_prefix|>", USER_DEFINED],
  151660: ["<|fim_middle|>", USER_DEFINED],
  151661: ["<|fim_suffix|>", USER_DEFINED],
  151662: ["<|fim_pad|>", USER_DEFINED],
  151663: ["<|repo_name|>", USER_DEFINED],
  151664: ["<|file_sep|>", USER_DEFINED],
};

// Qwen3 adds the tool-response and thinking delimiters after Qwen2.5's tokens.
const QWEN3_TOKENS: Record<number, [string, number]> = {
  ...QWEN25_TOKENS,
  151665: ["<tool_response>", USER_DEFINED],
  151666: ["</tool_response>", USER_DEFINED],
  151667: ["<think>", USER_DEFINED],
  151668: ["</think>", USER_DEFINED],
};

// Llama 3.1 renamed three of Llama 3's reserved specials; the rest of the vocabulary is identical.
const LLAMA31_TOKENS: Record<number, [string, number]> = {
  128004: ["<|finetune_right_pad_id|>", CONTROL],
  128008: ["<|eom_id|>", CONTROL],
  128010: ["<|python_tag|>", CONTROL],
};

// Instruct Qwen GGUFs declare <|im_end|> (151645) as EOS; it is also the end of turn.
const QWEN_IDS = {
  "tokenizer.ggml.eos_token_id": gv.u32(151645),
  "tokenizer.ggml.eot_token_id": gv.u32(151645),
};
// Llama 3.1/3.2 Instruct declare <|eot_id|> (128009) as EOS; <|eom_id|> (128008) ends an ipython turn.
const LLAMA31_IDS = {
  "tokenizer.ggml.eos_token_id": gv.u32(128009),
  "tokenizer.ggml.eot_token_id": gv.u32(128009),
  "tokenizer.ggml.eom_token_id": gv.u32(128008),
};

/** The named templates, by the name `--template` takes. */
export const NAMED_TEMPLATES: Readonly<Record<string, NamedTemplate>> = {
  "qwen2.5": {
    vocab: "qwen2",
    file: "Qwen-Qwen2.5-7B-Instruct.jinja",
    overrides: QWEN_IDS,
    tokens: QWEN25_TOKENS,
  },
  qwen3: { vocab: "qwen2", file: "Qwen-Qwen3-0.6B.jinja", overrides: QWEN_IDS, tokens: QWEN3_TOKENS },
  "llama3.1": {
    vocab: "llama-bpe",
    file: "meta-llama-Llama-3.1-8B-Instruct.jinja",
    overrides: LLAMA31_IDS,
    tokens: LLAMA31_TOKENS,
  },
  "llama3.2": {
    vocab: "llama-bpe",
    file: "meta-llama-Llama-3.2-3B-Instruct.jinja",
    overrides: LLAMA31_IDS,
    tokens: LLAMA31_TOKENS,
  },
  // The pinned llama.cpp has no Mistral-7B-Instruct-v0.3 template; Mistral-Nemo-Instruct-2407's uses the
  // same [AVAILABLE_TOOLS]/[TOOL_CALLS]/[TOOL_RESULTS] syntax. The llama-spm vocabulary (Llama 2's 32000
  // tokens) has no such control tokens, so they tokenize as text; </s> (2) is already EOS.
  mistral: {
    vocab: "llama-spm",
    file: "mistralai-Mistral-Nemo-Instruct-2407.jinja",
    overrides: {},
    tokens: {},
  },
};

/** Every name `--template` accepts. */
export const TEMPLATE_NAMES = [DEFAULT_TEMPLATE_NAME, ...Object.keys(NAMED_TEMPLATES)];

/** The named template, checked against the vocabulary; undefined for the vocabulary's default. */
export function resolveTemplate(name: string | undefined, vocab: string): NamedTemplate | undefined {
  if (name === undefined || name === DEFAULT_TEMPLATE_NAME) return undefined;
  const t = NAMED_TEMPLATES[name];
  if (t === undefined) {
    throw new SynthOptionError(`unknown template "${name}" (known: ${TEMPLATE_NAMES.join(", ")})`);
  }
  if (t.vocab !== vocab) {
    throw new SynthOptionError(`template "${name}" needs vocab "${t.vocab}", not "${vocab}"`);
  }
  return t;
}

/** Jinja text of a named template, read from the pinned llama.cpp source. */
export async function namedTemplateSource(name: string, env?: Env): Promise<string> {
  const t = NAMED_TEMPLATES[name];
  if (t === undefined) throw new SynthOptionError(`unknown template "${name}"`);
  const path = join(llamaSourceDir(env), "models", "templates", t.file);
  const file = Bun.file(path);
  if (!(await file.exists()))
    throw new LlamaSourceError(`chat template missing from llama.cpp source: ${path}`);
  return file.text();
}
