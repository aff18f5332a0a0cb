/**
 * The tags a template puts around thinking (`<think>` … `</think>`), read from the template itself so the
 * output parser splits what that template's model emits, whatever the model is called.
 */
import type { Arg, Node, Pipe } from "./go/ast.ts";

/** The opening and closing tags of a thinking block. */
export interface ThinkingTags {
  open: string;
  close: string;
}

/**
 * Thinking delimiters of the template families known to think, most common first. A pair counts only when
 * both tags appear in the template text.
 */
const KNOWN_TAGS: readonly ThinkingTags[] = [
  { open: "<think>", close: "</think>" },
  { open: "<seed:think>", close: "</seed:think>" },
  { open: "<mm:think>", close: "</mm:think>" },
  { open: "<thinking>", close: "</thinking>" },
  { open: "<|START_THINKING|>", close: "<|END_THINKING|>" },
  { open: "[THINK]", close: "[/THINK]" },
];

function knownTags(source: string): ThinkingTags | undefined {
  return KNOWN_TAGS.find((t) => source.includes(t.open) && source.includes(t.close));
}

/**
 * Tags of a Jinja chat template: a known pair present in its text; or `<think>` when the template only cuts
 * earlier reasoning off at `</think>` (Qwen/DeepSeek distills) — the same tests as Ollama's
 * chatTemplateHasThinkingSupport, widened to the other known pairs.
 */
export function jinjaThinkingTags(source: string): ThinkingTags | undefined {
  const known = knownTags(source);
  if (known) return known;
  const splitsReasoning =
    source.includes("content.split('</think>')") || source.includes('content.split("</think>")');
  if (splitsReasoning && !source.includes("reasoning_content") && !source.includes("<SPECIAL_12>"))
    return { open: "<think>", close: "</think>" };
  return undefined;
}

/**
 * Tags of a Go template. First Ollama's thinking.InferTags: inside a `range` over `.Messages`, the list
 * around a `.Thinking` reference starts and ends with them (`{{ if .Thinking }}<think>{{ .Thinking }}</think>`).
 * Else a known pair in the text of a template that reads `.Think` or `.Thinking` (one that only prefills
 * `<think>` when `.Think` is set).
 */
export function goThinkingTags(
  nodes: readonly Node[],
  vars: ReadonlySet<string>,
  source: string,
): ThinkingTags | undefined {
  const inferred = inferTags(nodes);
  if (inferred) return inferred;
  return vars.has("think") || vars.has("thinking") ? knownTags(source) : undefined;
}

function inferTags(nodes: readonly Node[]): ThinkingTags | undefined {
  let open = "";
  let close = "";
  // `list` is the nearest enclosing node list, `range` the nearest enclosing range (as Go's parse tree nests).
  const visitPipe = (pipe: Pipe, list: readonly Node[], range: Pipe | undefined) => {
    for (const cmd of pipe.cmds) {
      for (const a of cmd.args) {
        if (a.kind === "pipe") visitPipe(a.pipe, list, range);
        if (!readsThinking(a) || !range || !rangesOverMessages(range)) continue;
        const first = list[0];
        const last = list[list.length - 1];
        if (first?.kind === "text") open = first.text.trim();
        if (last?.kind === "text") close = last.text.trim();
      }
    }
  };
  const visit = (list: readonly Node[], range: Pipe | undefined) => {
    for (const n of list) {
      if (n.kind === "action") visitPipe(n.pipe, list, range);
      if (n.kind !== "if" && n.kind !== "with" && n.kind !== "range") continue;
      const inner = n.kind === "range" ? n.pipe : range;
      visitPipe(n.pipe, list, inner);
      visit(n.list, inner);
      if (n.elseList) visit(n.elseList, inner);
    }
  };
  visit(nodes, undefined);
  return open && close ? { open, close } : undefined;
}

// `.Thinking` as Ollama matches it, and `$msg.Thinking` (a variable over the same message).
function readsThinking(a: Arg): boolean {
  return (a.kind === "field" || (a.kind === "var" && a.name !== "$")) && a.path[0] === "Thinking";
}

function rangesOverMessages(p: Pipe): boolean {
  const uses = (a: Arg): boolean =>
    ((a.kind === "field" || (a.kind === "var" && a.name === "$")) && a.path[0] === "Messages") ||
    (a.kind === "pipe" && a.pipe.cmds.some((c) => c.args.some(uses)));
  return p.cmds.some((c) => c.args.some(uses));
}
