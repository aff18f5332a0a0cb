/**
 * The tool-call tag of a Go (Modelfile) template, found the way Ollama finds it: the first text the
 * template writes inside `{{ if .ToolCalls }}`, cut before any `{` and trimmed — `<tool_call>`,
 * `[TOOL_CALLS] [`, ```` ```json ````… — or `{` when the calls are bare JSON.
 */
import type { Node } from "../../templates/go/ast.ts";

/** The tag that starts a tool call in replies rendered by this template (`{` when there is none). */
export function goToolCallTag(nodes: readonly Node[]): string {
  const block = toolCallsIf(nodes);
  const text = block ? firstText(block.list) : undefined;
  if (text === undefined) return "{";
  const tag = (text.replaceAll("\r\n", "\n").split("{")[0] ?? "").trim();
  return tag || "{";
}

type Branch = Extract<Node, { kind: "if" | "with" | "range" }>;

/** The first `{{ if … .ToolCalls … }}` block, searched depth first through if/range/with bodies. */
function toolCallsIf(nodes: readonly Node[]): Branch | undefined {
  for (const n of nodes) {
    if (n.kind !== "if" && n.kind !== "range" && n.kind !== "with") continue;
    if (n.kind === "if" && n.pipe.cmds.some((c) => c.args.some(namesToolCalls))) return n;
    const inner = toolCallsIf(n.list) ?? (n.elseList ? toolCallsIf(n.elseList) : undefined);
    if (inner) return inner;
  }
  return undefined;
}

const namesToolCalls = (a: Branch["pipe"]["cmds"][number]["args"][number]): boolean =>
  (a.kind === "field" || a.kind === "var") && a.path.includes("ToolCalls");

/**
 * The first non-blank text, looking into nested blocks but stopping at the first action or block
 * without text: what comes after a `{{ range }}` or `{{ .Field }}` is not a prefix of the call.
 */
function firstText(nodes: readonly Node[]): string | undefined {
  for (const n of nodes) {
    if (n.kind === "text") {
      if (n.text.trim() !== "") return n.text;
      continue;
    }
    if (n.kind === "action") return undefined;
    if (n.kind === "if" || n.kind === "range" || n.kind === "with")
      return firstText(n.list) ?? (n.elseList ? firstText(n.elseList) : undefined);
  }
  return undefined;
}
