/**
 * How a chat uses its tools: which tools the template shows, which parser reads the reply, and which
 * grammar (if any) constrains it, from the template's tool-call family and the request's tool_choice.
 *
 * - "none": tools are not shown to the model and nothing is parsed (a `format` grammar still applies).
 * - "auto" (default): a lazy grammar — generation is free until the family's trigger (its tag, or a reply
 *   starting with `{`/`[` for bare-JSON families), then the calls are constrained. With a `format` the
 *   reply must be either the format's JSON or tool calls (one grammar, from the first token).
 * - "required": at least one call, constrained from the first token; `format` does not apply (the reply
 *   is calls, not content).
 * - `{name}`: as "required", with only that function.
 */
import type { Tool } from "../../templates/index.ts";
import { GrammarBuilder } from "../grammar/json-schema.ts";
import type { OutputParser } from "../output/parser.ts";
import type { PromptTemplate } from "../template.ts";
import { InvalidToolChoiceError, InvalidToolError } from "./errors.ts";
import { callsRule, type LazyTriggers, lazyTriggers } from "./grammar.ts";
import { ToolCallParser } from "./parser.ts";
import { detectToolSyntax, type ToolSyntax } from "./syntax.ts";

/**
 * Which tool calls a chat may make: any or none as the model chooses ("auto", the default), none at all
 * ("none": tools are not shown to the model), at least one ("required"), or calls of the named function.
 * Everything but "auto" is enforced by constraining generation.
 */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

/** What the plan is made from. */
export interface ToolPlanInput {
  template: PromptTemplate;
  tools?: Tool[];
  choice?: ToolChoice;
  /** Whether a reply may hold several calls (default true). */
  parallel?: boolean;
  /** The request's `format` (already validated): "json" or a JSON schema. */
  format?: unknown;
}

/** The runner request fields a plan sets; a grammar here replaces the one `format` alone would give. */
export interface ToolRequestFields {
  grammar?: string;
  grammar_lazy?: LazyTriggers;
}

/** How one chat request uses tools. */
export interface ToolPlan {
  /** Tools for the template to render (undefined: render without tools). */
  tools?: Tool[];
  /** Reads tool calls out of the reply (undefined: the reply is all content). */
  parser?: OutputParser;
  request: ToolRequestFields;
  syntax?: ToolSyntax;
}

/** Plans a request's tool use; throws a 400 for unusable tools or an impossible tool_choice. */
export function planTools(input: ToolPlanInput): ToolPlan {
  const tools = input.tools?.length ? input.tools : undefined;
  const choice = input.choice ?? "auto";
  if (!tools) {
    if (choice !== "auto" && choice !== "none")
      throw new InvalidToolChoiceError(`tool_choice ${describeChoice(choice)} needs tools in the request`);
    return { request: {} };
  }
  if (choice === "none") return { request: {} };
  checkTools(tools);
  let allowed = tools;
  if (typeof choice === "object") {
    const named = tools.find((t) => t.function.name === choice.name);
    if (!named)
      throw new InvalidToolChoiceError(
        `tool_choice names function ${JSON.stringify(choice.name)}, which is not among the request's tools`,
      );
    allowed = [named];
  }
  const syntax = detectToolSyntax(input.template);
  const b = new GrammarBuilder();
  const calls = callsRule(b, syntax, allowed, input.parallel ?? true);
  const parser = new ToolCallParser(
    syntax,
    allowed.map((t) => t.function.name),
  );
  let request: ToolRequestFields;
  if (choice !== "auto") request = { grammar: b.grammar(calls) };
  else if (input.format === undefined || input.format === null || input.format === "")
    request = { grammar: b.grammar(calls), grammar_lazy: lazyTriggers(syntax) };
  else request = { grammar: b.grammar(`${formatRule(b, input.format)} | ${calls}`) };
  return { tools, parser, request, syntax };
}

/** The rule for a `format`: a JSON object for "json" (as `format` alone gives), else the schema. */
function formatRule(b: GrammarBuilder, format: unknown): string {
  if (format === "json") return b.rule("format", "object", ["object"]);
  return b.schema(format as Record<string, unknown>, "format");
}

/** Every tool needs a name (unique) and, if it has parameters, an object schema for them. */
function checkTools(tools: Tool[]): void {
  const seen = new Set<string>();
  tools.forEach((t, i) => {
    const name = (t as Partial<Tool>).function?.name;
    if (typeof name !== "string" || name === "")
      throw new InvalidToolError(`tools[${i}]`, "function name is missing");
    const label = JSON.stringify(name);
    if (seen.has(name)) throw new InvalidToolError(label, "another tool has the same name");
    seen.add(name);
    const p: unknown = t.function.parameters;
    if (p === undefined || p === null) return;
    if (typeof p !== "object" || Array.isArray(p))
      throw new InvalidToolError(label, "parameters must be a JSON Schema object");
    const type = (p as { type?: unknown }).type;
    if (type !== undefined && type !== "object")
      throw new InvalidToolError(
        label,
        `parameters must be an object schema, not type ${JSON.stringify(type)}`,
      );
  });
}

function describeChoice(choice: ToolChoice): string {
  return typeof choice === "object" ? `{name: ${JSON.stringify(choice.name)}}` : JSON.stringify(choice);
}
