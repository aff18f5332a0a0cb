/**
 * Tokenizer checks: combinations of tokenizer model and token list that llama.cpp loads but then aborts on
 * while tokenizing or detokenizing ordinary text (found by the GGUF mutation fuzzer).
 */
import type { GgufFile } from "./reader.ts";

/** llama.cpp's LLAMA_TOKEN_TYPE_BYTE. */
const TOKEN_TYPE_BYTE = 6;

const BYTE_TOKEN = /^<0x[0-9A-Fa-f]{2}>$/;

/** Bytes that can occur in UTF-8 text (0xC0, 0xC1 and 0xF5…0xFF never do). */
function* utf8Bytes(): Generator<number> {
  for (let b = 0; b <= 0xf4; b++) if (b !== 0xc0 && b !== 0xc1) yield b;
}

/**
 * A SentencePiece vocabulary ("llama") must hold a `<0xXX>` token for every byte text can contain: llama.cpp
 * falls back to them for anything else, and a missing one is an uncaught exception (the process aborts).
 */
function byteFallbackProblem(tokens: readonly string[]): string | undefined {
  const have = new Set(tokens);
  for (const b of utf8Bytes()) {
    const hex = b.toString(16).toUpperCase().padStart(2, "0");
    if (!have.has(`<0x${hex}>`) && !(b < 0x80 && have.has(String.fromCharCode(b)))) {
      return `tokenizer.ggml.tokens lacks the byte token <0x${hex}> a SentencePiece ("llama") tokenizer falls back to`;
    }
  }
  return undefined;
}

/**
 * Tokens typed BYTE are turned back into their byte by parsing `<0xXX>`: any other text, or a WordPiece
 * ("bert") tokenizer, which has no byte tokens at all, aborts llama.cpp.
 */
function byteTypeProblem(file: GgufFile, tokens: readonly string[], model: string): string | undefined {
  const types = file.metadata["tokenizer.ggml.token_type"];
  if (!Array.isArray(types)) return undefined;
  for (const [i, t] of types.entries()) {
    if (t !== TOKEN_TYPE_BYTE || i >= tokens.length) continue;
    if (model === "bert")
      return `token ${i} is typed as a byte token, which a WordPiece ("bert") tokenizer cannot have`;
    const text = tokens[i] as string;
    if (!BYTE_TOKEN.test(text)) return `token ${i} is typed as a byte token but is not of the form <0xXX>`;
  }
  return undefined;
}

/** Problems of the tokenizer model against the token list (`tokens` already checked to be strings). */
export function tokenizerProblems(file: GgufFile, tokens: readonly string[] | undefined): string[] {
  const model = file.metadata["tokenizer.ggml.model"];
  if (typeof model !== "string") return [];
  // A model without a tokenizer loads, but every request needs text turned into tokens.
  if (model === "none" || model === "no_vocab") {
    return [`tokenizer.ggml.model is "${model}": the model has no tokenizer, so it cannot take text`];
  }
  if (tokens === undefined) return [];
  const problems: string[] = [];
  const byteType = byteTypeProblem(file, tokens, model);
  if (byteType) problems.push(byteType);
  if (model === "llama") {
    const fallback = byteFallbackProblem(tokens);
    if (fallback) problems.push(fallback);
  }
  return problems;
}
