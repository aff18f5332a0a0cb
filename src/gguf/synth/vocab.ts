import { readGgufTyped } from "../reader.ts";
import type { NamedTemplate } from "./chat-templates.ts";
import { gv } from "../typed.ts";
import type { GgufTypedValue } from "../value.ts";
import { SynthOptionError } from "./errors.ts";
import { vocabPath } from "./llama-source.ts";
import {
  CHATML_TEMPLATE,
  LLAMA2_TEMPLATE,
  LLAMA3_TEMPLATE,
  PHI3_TEMPLATE,
  QWEN2_TEMPLATE,
} from "./templates.ts";

/** What a vocabulary brings to a synthetic model besides its tokenizer keys. */
interface VocabProfile {
  /** Chat template, or null for embedding vocabularies. */
  template: string | null;
  /** Token-id overrides, matching what the real instruct models of this family set. */
  overrides?: Record<string, GgufTypedValue>;
}

const PROFILES: Record<string, VocabProfile> = {
  "llama-spm": { template: LLAMA2_TEMPLATE },
  // Llama-3-Instruct ends turns with <|eot_id|> (128009) and declares it as EOS.
  "llama-bpe": { template: LLAMA3_TEMPLATE, overrides: { "tokenizer.ggml.eos_token_id": gv.u32(128009) } },
  // Qwen2-Instruct ends turns with <|im_end|> (151645) and declares it as EOS.
  qwen2: { template: QWEN2_TEMPLATE, overrides: { "tokenizer.ggml.eos_token_id": gv.u32(151645) } },
  "phi-3": { template: PHI3_TEMPLATE },
  "gpt-2": { template: CHATML_TEMPLATE },
  "bert-bge": { template: null },
};

/** Vocabulary names usable with chat presets. */
export const CHAT_VOCABS = Object.keys(PROFILES).filter((k) => PROFILES[k]?.template !== null);
/** Vocabulary names usable with the embedding preset. */
export const EMBED_VOCABS = Object.keys(PROFILES).filter((k) => PROFILES[k]?.template === null);

/** A vocabulary's tokenizer metadata, ready to copy into a model. */
export interface SynthVocab {
  name: string;
  size: number;
  /** Every `tokenizer.*` key of the vocabulary GGUF (typed), with the chat template replaced. */
  metadata: Record<string, GgufTypedValue>;
}

/** A named template to install instead of the vocabulary's default: its Jinja text and token fix-ups. */
export interface VocabTemplate extends Pick<NamedTemplate, "overrides" | "tokens"> {
  source: string;
}

/** Loads `models/ggml-vocab-<name>.gguf` from the pinned llama.cpp source, optionally with a named template. */
export async function loadVocab(name: string, template?: VocabTemplate): Promise<SynthVocab> {
  const profile = PROFILES[name];
  if (profile === undefined) {
    throw new SynthOptionError(`unknown vocab "${name}" (known: ${Object.keys(PROFILES).join(", ")})`);
  }
  const { file, types } = await readGgufTyped(vocabPath(name));
  const metadata: Record<string, GgufTypedValue> = {};
  for (const [key, value] of Object.entries(file.metadata)) {
    const t = types.get(key);
    if (!key.startsWith("tokenizer.") || key === "tokenizer.chat_template" || t === undefined) continue;
    metadata[key] = { ...t, value };
  }
  Object.assign(metadata, profile.overrides);
  if (profile.template !== null) metadata["tokenizer.chat_template"] = gv.str(profile.template);
  const tokens = file.metadata["tokenizer.ggml.tokens"];
  if (!Array.isArray(tokens)) throw new SynthOptionError(`vocab "${name}" has no tokenizer.ggml.tokens`);
  if (template !== undefined) applyTemplate(metadata, template);
  return { name, size: tokens.length, metadata };
}

/** Installs a named template: its text, its token ids, and the real model's added tokens in placeholder slots. */
function applyTemplate(metadata: Record<string, GgufTypedValue>, t: VocabTemplate): void {
  const entries = Object.entries(t.tokens);
  if (entries.length > 0) {
    const tokens = metadata["tokenizer.ggml.tokens"];
    const types = metadata["tokenizer.ggml.token_type"];
    if (!Array.isArray(tokens?.value) || !Array.isArray(types?.value)) {
      throw new SynthOptionError("vocabulary lacks tokenizer.ggml.tokens/token_type");
    }
    const texts = [...tokens.value];
    const kinds = [...types.value];
    for (const [id, [text, kind]] of entries) {
      texts[Number(id)] = text;
      kinds[Number(id)] = kind;
    }
    metadata["tokenizer.ggml.tokens"] = { ...tokens, value: texts };
    metadata["tokenizer.ggml.token_type"] = { ...types, value: kinds };
  }
  Object.assign(metadata, t.overrides);
  metadata["tokenizer.chat_template"] = gv.str(t.source);
}
