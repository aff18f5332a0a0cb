/**
 * An Anthropic request → the chat service's input: tools as function tools, `tool_choice`, `thinking` and
 * `output_config` as think and format, sampling fields as Ollama options.
 *
 * `thinking.budget_tokens` caps thinking: once that many tokens were generated inside the thinking block, the
 * block is closed and the model goes on with its answer. As with Anthropic, thinking also counts toward
 * `max_tokens`, which caps thinking and answer together.
 */
import { InvalidInputError } from "../../errors.ts";
import type { ChatInput, ToolChoice } from "../../inference/index.ts";
import type { Tool } from "../../templates/index.ts";
import { serviceMessages } from "./content.ts";
import type {
  CountTokensRequest,
  MessagesRequest,
  ThinkingParam,
  ToolChoiceParam,
  ToolParam,
} from "./schema.ts";

/** How the answer is shaped beyond what the service does. */
export interface AnswerShape {
  /** `disable_parallel_tool_use` (the service constrains the model to one call; the answer keeps one). */
  singleToolUse: boolean;
  /** `thinking.display: "omitted"`: thinking blocks carry a signature and no text. */
  hideThinking: boolean;
}

/** The chat input of a request, and how to shape its answer. */
export interface Converted {
  input: ChatInput;
  shape: AnswerShape;
}

const LEVELS = new Set(["low", "medium", "high", "max"]);
const THINKING = new Set(["enabled", "disabled", "adaptive", "between_tools"]);
const quote = (v: unknown) => JSON.stringify(v);

/** Custom tools as function tools; server tools (web search, bash, …) are refused. */
function functionTools(tools: ToolParam[] | undefined): Tool[] | undefined {
  if (!tools?.length) return undefined;
  const seen = new Set<string>();
  return tools.map((tool, i) => {
    if (tool.type !== undefined && tool.type !== "custom")
      throw new InvalidInputError(
        `tools.${i}.type: tool type ${quote(tool.type)} is not supported; only custom tools with an input_schema are`,
      );
    if (!tool.input_schema) throw new InvalidInputError(`tools.${i}.input_schema: field required`);
    if (seen.has(tool.name)) throw new InvalidInputError(`tools.${i}.name: tool names must be unique`);
    seen.add(tool.name);
    return {
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.input_schema,
      },
    };
  });
}

/** `tool_choice` → the service's ToolChoice ("any" is "required"). */
function toolChoice(c: ToolChoiceParam | undefined, tools: Tool[] | undefined): ToolChoice | undefined {
  if (!c) return undefined;
  switch (c.type) {
    case "auto":
      return "auto";
    case "none":
      return "none";
    case "any":
      return "required";
    case "tool":
      if (!c.name) throw new InvalidInputError("tool_choice.name: field required");
      if (!tools?.some((t) => t.function.name === c.name))
        throw new InvalidInputError(`tool_choice.name: no tool named ${quote(c.name)} in tools`);
      return { name: c.name };
  }
  throw new InvalidInputError(
    `tool_choice.type: expected "auto", "any", "tool" or "none", got ${quote(c.type)}`,
  );
}

/** `output_config.effort` as a think level ("xhigh" is the highest level models here know, "high"). */
function effortLevel(effort: string | undefined): string | undefined {
  if (effort === undefined) return undefined;
  if (effort === "xhigh") return "high";
  if (LEVELS.has(effort)) return effort;
  throw new InvalidInputError(
    `output_config.effort: expected "low", "medium", "high", "xhigh" or "max", got ${quote(effort)}`,
  );
}

/** `thinking` (and effort) → the service's think: false, true, a level, or unset. */
function think(
  thinking: ThinkingParam | undefined,
  effort: string | undefined,
): boolean | string | undefined {
  const level = effortLevel(effort);
  if (!thinking) return level;
  if (!THINKING.has(thinking.type))
    throw new InvalidInputError(
      `thinking.type: expected "enabled", "disabled" or "adaptive", got ${quote(thinking.type)}`,
    );
  if (thinking.display !== undefined && thinking.display !== "summarized" && thinking.display !== "omitted")
    throw new InvalidInputError(
      `thinking.display: expected "summarized" or "omitted", got ${quote(thinking.display)}`,
    );
  if (thinking.type === "disabled") return false;
  if (thinking.type === "enabled") {
    const budget = thinking.budget_tokens;
    if (budget === undefined) throw new InvalidInputError("thinking.budget_tokens: field required");
    if (budget < 1) throw new InvalidInputError("thinking.budget_tokens: must be at least 1");
  }
  return level ?? true;
}

/** The prompt part of a request (what count_tokens renders too). */
export function promptInput(body: CountTokensRequest): ChatInput {
  const tools = functionTools(body.tools);
  const choice = toolChoice(body.tool_choice, tools);
  const thinkValue = think(body.thinking, body.output_config?.effort);
  const format = body.output_config?.format;
  if (format && format.type !== "json_schema")
    throw new InvalidInputError(
      `output_config.format.type: expected "json_schema", got ${quote(format.type)}`,
    );
  if (format && !format.schema) throw new InvalidInputError("output_config.format.schema: field required");
  return {
    model: body.model,
    messages: serviceMessages(body.system, body.messages),
    ...(tools ? { tools } : {}),
    ...(tools && choice ? { toolChoice: choice } : {}),
    ...(body.tool_choice?.disable_parallel_tool_use ? { parallelToolCalls: false } : {}),
    ...(thinkValue === undefined ? {} : { think: thinkValue }),
    ...(format ? { format: format.schema } : {}),
  };
}

/** A whole messages request: the prompt, sampling options, and how to shape the answer. */
export function chatRequest(body: MessagesRequest): Converted {
  const options: Record<string, unknown> = { num_predict: body.max_tokens };
  if (body.temperature !== undefined) options.temperature = body.temperature;
  if (body.top_p !== undefined) options.top_p = body.top_p;
  if (body.top_k !== undefined) options.top_k = body.top_k;
  if (body.stop_sequences?.length) options.stop = body.stop_sequences;
  const budget = body.thinking?.type === "enabled" ? body.thinking.budget_tokens : undefined;
  return {
    input: { ...promptInput(body), options, ...(budget === undefined ? {} : { thinkBudget: budget }) },
    shape: {
      singleToolUse: body.tool_choice?.disable_parallel_tool_use === true,
      hideThinking: body.thinking?.display === "omitted",
    },
  };
}
