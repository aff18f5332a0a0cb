import type { Arg, Node, Pipe } from "./go/ast.ts";
import { execute } from "./go/exec.ts";
import type { GoFunc } from "./go/funcs.ts";
import { parse } from "./go/parser.ts";
import { goJson } from "./go/values.ts";
import { collate, messagesForTemplate, toolsForTemplate } from "./go-data.ts";
import type { ChatMessage, Tool } from "./messages.ts";

/** A parsed Ollama (Go text/template) prompt template. */
export interface GoTemplate {
  readonly source: string;
  readonly nodes: readonly Node[];
  /** Lower-cased identifiers the template references (`messages`, `response`, `tools`, …). */
  readonly vars: ReadonlySet<string>;
}

/** Inputs a template is rendered with. */
export interface TemplateValues {
  messages: readonly ChatMessage[];
  tools?: readonly Tool[];
  /** With `suffix`: fill-in-the-middle, rendered with only `.Prompt` and `.Suffix`. */
  prompt?: string;
  suffix?: string;
  think?: boolean;
  thinkLevel?: string;
  isThinkSet?: boolean;
  /** Clock for currentDate/yesterdayDate (tests pin it). */
  now?: Date;
  /** Render per turn with .System/.Prompt/.Response even when the template ranges over .Messages. */
  forceLegacy?: boolean;
}

const FUNC_NAMES = new Set(["json", "currentDate", "yesterdayDate", "toTypeScriptType"]);
const RESPONSE: Node = {
  kind: "action",
  pipe: { decl: [], assign: false, line: 0, cmds: [{ args: [{ kind: "field", path: ["Response"] }] }] },
};

/** Ollama's default template when a model has none. */
export const DEFAULT_TEMPLATE = "{{ .Prompt }}";

/** Parses a TEMPLATE; TemplateParseError (400) on bad syntax. Appends `{{ .Response }}` when neither .Messages nor .Response is used. */
export function parseTemplate(source: string): GoTemplate {
  const nodes = parse(source, FUNC_NAMES);
  const vars = new Set<string>();
  collectVars(nodes, vars);
  if (!vars.has("messages") && !vars.has("response")) nodes.push(RESPONSE);
  return { source, nodes, vars };
}

/** Renders a prompt the way Ollama's template.Execute does (messages mode, legacy per-turn mode, or suffix mode). */
export function renderTemplate(t: GoTemplate, v: TemplateValues): string {
  const funcs = templateFuncs(v.now ?? new Date());
  const think = {
    Think: v.think ?? false,
    ThinkLevel: v.thinkLevel ?? "",
    IsThinkSet: v.isThinkSet ?? false,
  };
  const { system, messages } = collate(v.messages);
  if (v.prompt && v.suffix) {
    return execute(t.nodes, { Prompt: v.prompt, Suffix: v.suffix, Response: "", ...think }, funcs);
  }
  if (!v.forceLegacy && t.vars.has("messages")) {
    const data = {
      System: system,
      Messages: messagesForTemplate(messages),
      Tools: toolsForTemplate(v.tools),
      Response: "",
      ...think,
    };
    return execute(t.nodes, data, funcs);
  }
  let out = "";
  let turn = { System: "", Prompt: "", Response: "" };
  const flush = () => {
    out += execute(t.nodes, { ...turn, ...think }, funcs);
    turn = { System: "", Prompt: "", Response: "" };
  };
  for (const m of messages) {
    if (m.role === "system") {
      if (turn.Prompt || turn.Response) flush();
      turn.System = m.content;
    } else if (m.role === "user") {
      if (turn.Response) flush();
      turn.Prompt = m.content;
    } else if (m.role === "assistant") {
      turn.Response = m.content;
    }
  }
  // The last turn stops right after {{ .Response }} so generation continues from there.
  return out + execute(cutAfterResponse(t.nodes), { ...turn, ...think }, funcs);
}

/** True when the template references `.Tools`; used for the `tools` capability. */
export function templateUsesTools(t: GoTemplate): boolean {
  return t.vars.has("tools");
}

function templateFuncs(now: Date): Record<string, GoFunc> {
  const day = (d: Date) =>
    `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  return {
    json: (v) => goJson(v),
    currentDate: () => day(now),
    yesterdayDate: () => day(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1)),
    toTypeScriptType: (v) => tsType(v),
  };
}

function tsType(v: unknown): string {
  if (typeof v !== "object" || v === null || !("Type" in v)) return "any";
  const p = v as { Type?: unknown; Enum?: unknown[] };
  if (Array.isArray(p.Enum) && p.Enum.length) return p.Enum.map((e) => JSON.stringify(e)).join(" | ");
  const one = (t: unknown) =>
    t === "integer" || t === "number"
      ? "number"
      : t === "string" || t === "boolean"
        ? t
        : t === "array"
          ? "any[]"
          : t === "object"
            ? "Record<string, any>"
            : "any";
  return Array.isArray(p.Type) ? p.Type.map(one).join(" | ") : one(p.Type);
}

function collectVars(nodes: readonly Node[], out: Set<string>): void {
  for (const n of nodes) {
    if (n.kind === "action") pipeVars(n.pipe, out);
    if (n.kind === "if" || n.kind === "with" || n.kind === "range") {
      pipeVars(n.pipe, out);
      collectVars(n.list, out);
      if (n.elseList) collectVars(n.elseList, out);
    }
  }
}

function pipeVars(p: Pipe, out: Set<string>): void {
  const arg = (a: Arg) => {
    if (a.kind === "field") for (const f of a.path) out.add(f.toLowerCase());
    if (a.kind === "var") for (const f of [a.name, ...a.path]) out.add(f.toLowerCase());
    if (a.kind === "pipe" && a.path.length === 0) pipeVars(a.pipe, out);
  };
  for (const c of p.cmds) c.args.forEach(arg);
}

/** A copy of the tree with everything after the first `.Response` reference removed. */
function cutAfterResponse(nodes: readonly Node[]): Node[] {
  let cut = false;
  const usesResponse = (p: Pipe) =>
    p.cmds.some((c) => c.args.some((a) => a.kind === "field" && a.path.includes("Response")));
  const walk = (list: readonly Node[]): Node[] => {
    const kept: Node[] = [];
    for (const n of list) {
      if (cut) break;
      if (n.kind === "action") {
        kept.push(n);
        if (usesResponse(n.pipe)) cut = true;
      } else if (n.kind === "if" || n.kind === "with" || n.kind === "range") {
        const inner = walk(n.list);
        const elseList = cut || !n.elseList ? undefined : walk(n.elseList);
        kept.push({ ...n, list: inner, elseList });
      } else {
        kept.push(n);
      }
    }
    return kept;
  };
  return walk(nodes);
}
