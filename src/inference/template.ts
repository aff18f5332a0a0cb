/** A model's prompt template (Go TEMPLATE or GGUF Jinja) and what it says about the model. */
import {
  type ChatMessage,
  type GoTemplate,
  goThinkingTags,
  goThinkValues,
  type JinjaTemplate,
  jinjaThinkingTags,
  jinjaThinkVars,
  renderJinja,
  renderTemplate,
  type Think,
  type ThinkingTags,
  type Tool,
  templateUsesTools,
} from "../templates/index.ts";

/** The template a model renders prompts with. */
export type PromptTemplate =
  | { kind: "go"; go: GoTemplate }
  | { kind: "jinja"; jinja: JinjaTemplate; bos: string; eos: string; addBos: boolean };

/** Template source text (what /api/show reports as `template`). */
export function templateSource(t: PromptTemplate): string {
  return t.kind === "go" ? t.go.source : t.jinja.source;
}

/**
 * tools / insert / thinking, as Ollama derives them from the template; `thinking` exactly when the thinking
 * tags can be read from it, so a model that may think always has its thinking split out.
 */
export function templateCapabilities(t: PromptTemplate): string[] {
  const caps: string[] = [];
  if (t.kind === "go") {
    if (templateUsesTools(t.go)) caps.push("tools");
    if (t.go.vars.has("suffix")) caps.push("insert");
  } else {
    const src = t.jinja.source;
    if (src.includes("tools") || src.includes("tool_call")) caps.push("tools");
  }
  if (thinkingTags(t)) caps.push("thinking");
  return caps;
}

/** The tags around the model's thinking, read from the template; undefined when it cannot think. */
export function thinkingTags(t: PromptTemplate): ThinkingTags | undefined {
  return t.kind === "go"
    ? goThinkingTags(t.go.nodes, t.go.vars, t.go.source)
    : jinjaThinkingTags(t.jinja.source);
}

/** gpt-oss's harmony format (Ollama's shouldUseHarmony test on the template): it knows no "max" level. */
export function templateIsHarmony(t: PromptTemplate): boolean {
  const src = templateSource(t);
  return src.includes("<|start|>") && src.includes("<|end|>");
}

/** Renders a conversation, ending where the assistant's reply begins; `think` as the request resolved it. */
export function renderMessages(
  t: PromptTemplate,
  messages: ChatMessage[],
  tools?: Tool[],
  think?: Think,
): string {
  if (t.kind === "go")
    return renderTemplate(t.go, {
      messages,
      tools: tools?.length ? tools : undefined,
      ...goThinkValues(think),
    });
  const out = renderJinja(t.jinja, {
    messages,
    tools: tools?.length ? tools : undefined,
    addGenerationPrompt: true,
    bosToken: t.bos,
    eosToken: t.eos,
    extra: jinjaThinkVars(think),
  });
  // The runner adds BOS itself when the model wants one; a template's own BOS would double it.
  return t.addBos && t.bos && out.startsWith(t.bos) ? out.slice(t.bos.length) : out;
}

/** Fill-in-the-middle rendering (`suffix`); needs a Go template using `.Suffix`. */
export function renderInsert(t: PromptTemplate, prompt: string, suffix: string, think?: Think): string {
  if (t.kind !== "go") throw new Error("insert needs a Go template");
  return renderTemplate(t.go, { messages: [], prompt, suffix, ...goThinkValues(think) });
}
