/**
 * A request's `think` as prompt templates see it: Ollama's `.Think`, `.ThinkLevel` and `.IsThinkSet` for Go
 * templates, and the `enable_thinking` / `reasoning_effort` variables llama.cpp passes to Jinja templates.
 */

/** The levels `think` accepts besides true and false. */
export const THINK_LEVELS = ["low", "medium", "high", "max"] as const;

/** A thinking level. */
export type ThinkLevel = (typeof THINK_LEVELS)[number];

/** A request's `think`: off, on, or a level; undefined when the request did not set it. */
export type Think = boolean | ThinkLevel | undefined;

/** Whether `think` asks for thinking (Ollama's ThinkValue.Bool: true or any level). */
export function thinkEnabled(think: Think): boolean {
  return think !== undefined && think !== false;
}

/** The level as Ollama's ThinkValue.String gives it: the level itself, "medium" for true, "" otherwise. */
export function thinkLevel(think: Think): string {
  if (typeof think === "string") return think;
  return think === true ? "medium" : "";
}

/** `.Think`, `.ThinkLevel` and `.IsThinkSet` for a Go template, set exactly as Ollama's renderPrompt sets them. */
export function goThinkValues(think: Think): { think: boolean; thinkLevel: string; isThinkSet: boolean } {
  return { think: thinkEnabled(think), thinkLevel: thinkLevel(think), isThinkSet: think !== undefined };
}

/**
 * Jinja variables for `think`: nothing when unset (the template's own default applies), else
 * `enable_thinking`; a level also sets `reasoning_effort` and its alias `reasoning_strength`, as llama.cpp's
 * chat_template_kwargs do (gpt-oss and DeepSeek-V4 style templates read them).
 */
export function jinjaThinkVars(think: Think): Record<string, unknown> {
  if (think === undefined) return {};
  if (typeof think !== "string") return { enable_thinking: think };
  return { enable_thinking: true, reasoning_effort: think, reasoning_strength: think };
}
