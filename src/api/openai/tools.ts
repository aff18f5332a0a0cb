/**
 * Function tools, tool_choice and structured-output formats, in both the Chat Completions spelling
 * (`{type: "function", function: {name, …}}`) and the Responses spelling (`{type: "function", name, …}`),
 * mapped to the service's tools, ToolChoice and `format`.
 */
import { t } from "elysia";
import type { ChatInput, ToolChoice } from "../../inference/index.ts";
import type { Tool } from "../../templates/index.ts";
import { OpenAIParamError, unsupported } from "./errors.ts";

const FunctionFields = {
  name: t.String(),
  description: t.Optional(t.String()),
  parameters: t.Optional(t.Record(t.String(), t.Unknown())),
  strict: t.Optional(t.Boolean()),
};

/** A tool in either spelling: the function nested under `function` (chat) or inline (responses). */
export const ToolIn = t.Object({
  type: t.String(),
  function: t.Optional(t.Object(FunctionFields)),
  name: t.Optional(t.String()),
  description: t.Optional(t.String()),
  parameters: t.Optional(t.Record(t.String(), t.Unknown())),
  strict: t.Optional(t.Boolean()),
});
/** A tool in either spelling. */
export type ToolIn = typeof ToolIn.static;

const NamedTool = t.Object({
  type: t.String(),
  name: t.Optional(t.String()),
  function: t.Optional(t.Object({ name: t.String() })),
});

/** tool_choice in either spelling, including `allowed_tools`. */
export const ToolChoiceIn = t.Union([
  t.String(),
  t.Object({
    type: t.String(),
    name: t.Optional(t.String()),
    function: t.Optional(t.Object({ name: t.String() })),
    mode: t.Optional(t.String()),
    tools: t.Optional(t.Array(NamedTool)),
    allowed_tools: t.Optional(t.Object({ mode: t.String(), tools: t.Array(NamedTool) })),
  }),
]);
/** tool_choice in either spelling. */
export type ToolChoiceIn = typeof ToolChoiceIn.static;

/** The function tools of a request; other tool types are refused naming `tools[i].type`. */
export function functionTools(tools: readonly ToolIn[] | undefined): Tool[] {
  return (tools ?? []).map((tool, i) => {
    if (tool.type !== "function")
      throw unsupported(`tools[${i}].type`, `Tool type ${JSON.stringify(tool.type)}`);
    const f = tool.function ?? tool;
    if (!f.name)
      throw new OpenAIParamError(`tools[${i}].name`, `Missing required parameter: 'tools[${i}].name'.`);
    return {
      type: "function",
      function: {
        name: f.name,
        ...(f.description !== undefined ? { description: f.description } : {}),
        parameters: (f.parameters ?? { type: "object", properties: {} }) as Tool["function"]["parameters"],
      },
    };
  });
}

const nameOf = (x: { name?: string; function?: { name: string } }) => x.function?.name ?? x.name;

/** The tools the model may see and the service's ToolChoice for them. */
export function toolChoice(
  tools: Tool[],
  choice: ToolChoiceIn | undefined,
): { tools: Tool[]; toolChoice?: ToolChoice } {
  if (choice === undefined) return { tools };
  const known = new Set(tools.map((x) => x.function.name));
  const check = (name: string | undefined, param: string) => {
    if (!name || !known.has(name))
      throw new OpenAIParamError(
        param,
        `Invalid 'tool_choice': no function named ${JSON.stringify(name)} in 'tools'.`,
      );
    return name;
  };
  if (typeof choice === "string") {
    if (choice !== "auto" && choice !== "none" && choice !== "required")
      throw new OpenAIParamError(
        "tool_choice",
        `Invalid value for 'tool_choice': ${JSON.stringify(choice)}.`,
      );
    if (choice === "required" && tools.length === 0)
      throw new OpenAIParamError(
        "tool_choice",
        "Invalid 'tool_choice': 'required' needs at least one tool in 'tools'.",
      );
    // "none" shows the model no tools at all, so a model without tool support can still answer.
    return choice === "none" ? { tools: [], toolChoice: "none" } : { tools, toolChoice: choice };
  }
  if (choice.type === "function")
    return { tools, toolChoice: { name: check(nameOf(choice), "tool_choice") } };
  if (choice.type === "allowed_tools") {
    const spec = choice.allowed_tools ?? { mode: choice.mode ?? "auto", tools: choice.tools ?? [] };
    const allowed = new Set(spec.tools.map((x, i) => check(nameOf(x), `tool_choice.tools[${i}]`)));
    if (spec.mode !== "auto" && spec.mode !== "required")
      throw new OpenAIParamError(
        "tool_choice.mode",
        `Invalid value for 'tool_choice.mode': ${JSON.stringify(spec.mode)}.`,
      );
    return { tools: tools.filter((x) => allowed.has(x.function.name)), toolChoice: spec.mode };
  }
  throw unsupported("tool_choice.type", `tool_choice type ${JSON.stringify(choice.type)}`);
}

/** The service's tools, toolChoice and parallelToolCalls from a chat or responses request's fields. */
export function toolInput(r: {
  tools?: readonly ToolIn[];
  tool_choice?: ToolChoiceIn;
  parallel_tool_calls?: boolean;
}): Pick<ChatInput, "tools" | "toolChoice" | "parallelToolCalls"> {
  const t = toolChoice(functionTools(r.tools), r.tool_choice);
  return {
    ...(t.tools.length ? { tools: t.tools } : {}),
    ...(t.toolChoice ? { toolChoice: t.toolChoice } : {}),
    ...(r.parallel_tool_calls !== undefined ? { parallelToolCalls: r.parallel_tool_calls } : {}),
  };
}

/** A structured-output format: chat's `response_format`, or the Responses API's `text.format` (flat). */
export const FormatIn = t.Object({
  type: t.String(),
  json_schema: t.Optional(
    t.Object({
      name: t.Optional(t.String()),
      schema: t.Optional(t.Record(t.String(), t.Unknown())),
      strict: t.Optional(t.Boolean()),
      description: t.Optional(t.String()),
    }),
  ),
  name: t.Optional(t.String()),
  schema: t.Optional(t.Record(t.String(), t.Unknown())),
  strict: t.Optional(t.Boolean()),
  description: t.Optional(t.String()),
});
/** A structured-output format. */
export type FormatIn = typeof FormatIn.static;

/** The service's `format` for a structured-output request: undefined (text), "json", or a JSON schema. */
export function formatOf(f: FormatIn | undefined, param: string): unknown {
  if (!f || f.type === "text") return undefined;
  if (f.type === "json_object") return "json";
  if (f.type === "json_schema") return f.json_schema?.schema ?? f.schema ?? "json";
  throw unsupported(`${param}.type`, `Format type ${JSON.stringify(f.type)}`);
}
