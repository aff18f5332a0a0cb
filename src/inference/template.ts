/** A model's prompt template (Go TEMPLATE or GGUF Jinja) and what it says about the model. */
import type { Node } from "../templates/go/ast.ts";
import {
  type ChatMessage,
  type GoTemplate,
  type JinjaTemplate,
  renderJinja,
  renderTemplate,
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

/** tools / insert / thinking, as Ollama derives them from the template. */
export function templateCapabilities(t: PromptTemplate): string[] {
  const caps: string[] = [];
  if (t.kind === "go") {
    if (templateUsesTools(t.go)) caps.push("tools");
    if (t.go.vars.has("suffix")) caps.push("insert");
    if (t.go.vars.has("thinking")) caps.push("thinking");
  } else {
    const src = t.jinja.source;
    if (src.includes("tools") || src.includes("tool_call")) caps.push("tools");
    if (src.includes("<think>") && src.includes("</think>")) caps.push("thinking");
  }
  return caps;
}

/** Renders a conversation, ending where the assistant's reply begins. */
export function renderMessages(t: PromptTemplate, messages: ChatMessage[], tools?: Tool[]): string {
  if (t.kind === "go") return renderTemplate(t.go, { messages, tools: tools?.length ? tools : undefined });
  const out = renderJinja(t.jinja, {
    messages,
    tools: tools?.length ? tools : undefined,
    addGenerationPrompt: true,
    bosToken: t.bos,
    eosToken: t.eos,
  });
  // The runner adds BOS itself when the model wants one; a template's own BOS would double it.
  return t.addBos && t.bos && out.startsWith(t.bos) ? out.slice(t.bos.length) : out;
}

/** Fill-in-the-middle rendering (`suffix`); needs a Go template using `.Suffix`. */
export function renderInsert(t: PromptTemplate, prompt: string, suffix: string): string {
  if (t.kind !== "go") throw new Error("insert needs a Go template");
  return renderTemplate(t.go, { messages: [], prompt, suffix });
}

/**
 * The tool-call tag: the first text inside `{{ if .ToolCalls }}` cut before `{` (e.g. `<tool_call>`),
 * `<tool_call>` when a Jinja template mentions it, else `{` (bare JSON).
 */
export function toolCallTag(t: PromptTemplate): string {
  if (t.kind === "jinja") return t.jinja.source.includes("<tool_call>") ? "<tool_call>" : "{";
  const find = (nodes: readonly Node[]): string | undefined => {
    for (const n of nodes) {
      if (n.kind !== "if" && n.kind !== "with" && n.kind !== "range") continue;
      const onCalls = n.pipe.cmds.some((c) =>
        c.args.some((a) => a.kind === "field" && a.path.at(-1) === "ToolCalls"),
      );
      if (onCalls && n.kind === "if") {
        const text = n.list.find((x) => x.kind === "text" && x.text.trim() !== "");
        if (text?.kind === "text") {
          const tag = text.text.split("{")[0]?.trim() ?? "";
          return tag || "{";
        }
      }
      const inner = find(n.list) ?? (n.elseList ? find(n.elseList) : undefined);
      if (inner) return inner;
    }
    return undefined;
  };
  return find(t.go.nodes) ?? "{";
}
