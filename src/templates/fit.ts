import type { ChatMessage } from "./messages.ts";

/** Result of fitting a conversation into the context window. */
export interface FitResult<M> {
  /** Messages to render: earlier system messages, then the kept tail. */
  messages: M[];
  prompt: string;
  tokens: number;
  /** How many non-system messages from the front were dropped. */
  dropped: number;
}

/**
 * Drops the oldest messages until the rendered prompt fits `budget` tokens, as Ollama's chatPrompt does:
 * system messages before the cut are always kept, and the last message is always kept even if it overflows.
 * `extraTokens` adds per-message cost the text does not show (e.g. 768 per image).
 */
export async function fitHistory<M extends Pick<ChatMessage, "role">>(
  messages: readonly M[],
  budget: number,
  render: (messages: M[]) => string | Promise<string>,
  countTokens: (prompt: string) => number | Promise<number>,
  extraTokens: (message: M) => number = () => 0,
): Promise<FitResult<M>> {
  const last = Math.max(0, messages.length - 1);
  let best: FitResult<M> | undefined;
  for (let i = 0; i <= last; i++) {
    const systems = messages.slice(0, i).filter((m) => m.role === "system");
    const kept = [...systems, ...messages.slice(i)];
    const prompt = await render(kept);
    const tokens =
      (await countTokens(prompt)) + messages.slice(i).reduce((sum, m) => sum + extraTokens(m), 0);
    best = { messages: kept, prompt, tokens, dropped: i - systems.length };
    if (tokens <= budget) break;
  }
  if (best) return best;
  const prompt = await render([]);
  return { messages: [], prompt, tokens: await countTokens(prompt), dropped: 0 };
}
