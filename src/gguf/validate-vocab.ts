/**
 * Vocabulary checks (llama-vocab.cpp load): the token list, its per-token arrays, the special token ids the
 * tokenizer relies on, and the embedding matrix that must have one row per token.
 */
import type { GgufFile } from "./reader.ts";
import { tokenizerProblems } from "./validate-tokenizer.ts";
import { describeValue, readInt } from "./validate-values.ts";

const TOKENS = "tokenizer.ggml.tokens";

/**
 * The first token text that occurs twice, as llama.cpp names tokens (an empty token at i is "[EMPTY_i]"):
 * llama.cpp asserts that its id→token and token→id tables have the same size, so duplicates abort it.
 */
function firstDuplicate(tokens: readonly string[]): { text: string; at: number } | undefined {
  const seen = new Set<string>();
  for (const [i, t] of tokens.entries()) {
    const text = t === "" ? `[EMPTY_${i}]` : t;
    if (seen.has(text)) return { text, at: i };
    seen.add(text);
  }
  return undefined;
}

function arrayProblem(file: GgufFile, key: string, nTokens: number): string | undefined {
  const v = file.metadata[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "number")) {
    return `${key} must be an array of numbers, not ${describeValue(v)}`;
  }
  if (v.length < nTokens) return `${key} has ${v.length} entries for ${nTokens} tokens`;
  return undefined;
}

function specialProblems(file: GgufFile, nTokens: number): string[] {
  const problems: string[] = [];
  for (const name of ["bos", "eos"]) {
    const key = `tokenizer.ggml.${name}_token_id`;
    const v = file.metadata[key];
    if (v === undefined) continue;
    const r = readInt(key, v);
    if (!r.ok) problems.push(r.problem);
    else if (r.value < 0n || r.value >= BigInt(nTokens)) {
      problems.push(`${key} ${r.value} is outside the vocabulary of ${nTokens} tokens`);
    }
  }
  return problems;
}

/** Problems with the vocabulary; a file without a token list is left to llama.cpp (it refuses cleanly). */
export function vocabProblems(file: GgufFile): string[] {
  const tokens = file.metadata[TOKENS];
  if (tokens === undefined) return tokenizerProblems(file, undefined);
  if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== "string")) {
    return [`${TOKENS} must be an array of strings, not ${describeValue(tokens)}`];
  }
  const problems: string[] = tokenizerProblems(file, tokens as string[]);
  const n = tokens.length;
  if (n === 0) problems.push(`${TOKENS} is empty`);
  const dup = firstDuplicate(tokens as string[]);
  if (dup) {
    const text = JSON.stringify(dup.text.length > 40 ? `${dup.text.slice(0, 40)}…` : dup.text);
    problems.push(`${TOKENS} lists the token ${text} twice (again at index ${dup.at})`);
  }
  for (const key of ["tokenizer.ggml.scores", "tokenizer.ggml.token_type"]) {
    const p = arrayProblem(file, key, n);
    if (p) problems.push(p);
  }
  problems.push(...specialProblems(file, n));
  const embd = file.tensors.find((t) => t.name === "token_embd.weight");
  const rows = embd?.shape[1] ?? 1;
  if (embd && rows !== n) {
    problems.push(`token_embd.weight has ${rows} rows, but the vocabulary has ${n} tokens (${TOKENS})`);
  }
  return problems;
}
