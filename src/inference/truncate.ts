/**
 * `truncate: false` on generate and chat: a prompt that does not fit the context is refused with Ollama's
 * runner error (`the input length exceeds the context length`, 400) instead of being cut. The runner cuts a
 * prompt of num_ctx tokens or more (it keeps room for one generated token), so that is the limit here.
 */
import type { Lease } from "../scheduler/index.ts";
import { InputTooLongError } from "./errors.ts";

/** The prompt's token ids; throws InputTooLongError when they would not fit uncut. */
export async function untruncatedPrompt(lease: Lease, text: string, ids?: number[]): Promise<number[]> {
  const tokens = ids ?? (await lease.runner.tokenize(text, { addSpecial: true, parseSpecial: true }));
  if (tokens.length >= lease.options.num_ctx) throw new InputTooLongError();
  return tokens;
}
