/** Re-creates a typed error from a runner's {error, code} answer. */
import { TsllmError } from "../errors.ts";
import { TokenRepeatLimitError } from "../llama/engine/batching/errors.ts";
import { InvalidGrammarError } from "../llama/engine/grammar-errors.ts";

/** The runner's error as the matching tsllm error type. */
export function remoteError(message: string, code: string, status: number): TsllmError {
  if (code === "token_repeat_limit") {
    const e = new TokenRepeatLimitError(0, 0);
    e.message = message;
    return e;
  }
  if (code === "invalid_grammar") return new InvalidGrammarError(message.replace(/^invalid grammar: /, ""));
  return new TsllmError(message, { code, status });
}
