/**
 * The Responses API request and its input items → chat messages. Items: messages (string or parts:
 * input_text/output_text, input_image data URLs), function_call (becomes an assistant tool call, merged
 * into the assistant message before it), function_call_output (a tool message named after its call),
 * reasoning (its summary, reasoning text or encrypted_content becomes the next assistant turn's thinking,
 * as Ollama round-trips it). Stored-item references, files and hosted tools are refused by name.
 */
import { t } from "elysia";
import type { ChatMessage } from "../../../templates/index.ts";
import { OpenAIParamError, unsupported } from "../errors.ts";
import { contentOf, parseArguments, toolNameOf } from "../messages.ts";
import { SamplingFields } from "../params.ts";
import { FormatIn, ToolChoiceIn, ToolIn } from "../tools.ts";

const Part = t.Object({
  type: t.String(),
  text: t.Optional(t.String()),
  refusal: t.Optional(t.String()),
  image_url: t.Optional(t.String()),
  file_id: t.Optional(t.String()),
});

/** One input item (every kind's fields, all optional; the kind is `type`, or a message when only `role`). */
export const InputItem = t.Object({
  type: t.Optional(t.String()),
  id: t.Optional(t.String()),
  role: t.Optional(t.String()),
  content: t.Optional(t.Union([t.String(), t.Array(Part)])),
  call_id: t.Optional(t.String()),
  name: t.Optional(t.String()),
  arguments: t.Optional(t.String()),
  output: t.Optional(t.Union([t.String(), t.Array(Part)])),
  summary: t.Optional(t.Array(t.Object({ type: t.String(), text: t.String() }))),
  encrypted_content: t.Optional(t.String()),
});
/** One input item. */
export type InputItem = typeof InputItem.static;

/**
 * The request. Accepted and echoed or ignored: metadata, user, truncation, service_tier, prompt_cache_key,
 * safety_identifier. Extensions: `options`, `keep_alive`, `think`.
 */
export const ResponsesRequest = t.Object({
  model: t.String(),
  input: t.Optional(t.Union([t.String(), t.Array(InputItem)])),
  instructions: t.Optional(t.String()),
  previous_response_id: t.Optional(t.String()),
  tools: t.Optional(t.Array(ToolIn)),
  tool_choice: t.Optional(ToolChoiceIn),
  text: t.Optional(t.Object({ format: t.Optional(FormatIn), verbosity: t.Optional(t.String()) })),
  reasoning: t.Optional(t.Object({ effort: t.Optional(t.String()), summary: t.Optional(t.String()) })),
  think: t.Optional(t.Union([t.Boolean(), t.String()])),
  max_output_tokens: t.Optional(t.Integer()),
  top_logprobs: t.Optional(t.Integer()),
  include: t.Optional(t.Array(t.String())),
  stream: t.Optional(t.Boolean()),
  store: t.Optional(t.Boolean()),
  metadata: t.Optional(t.Record(t.String(), t.String())),
  parallel_tool_calls: t.Optional(t.Boolean()),
  truncation: t.Optional(t.String()),
  background: t.Optional(t.Boolean()),
  conversation: t.Optional(t.Unknown()),
  prompt: t.Optional(t.Unknown()),
  ...SamplingFields,
});
/** The request. */
export type ResponsesRequest = typeof ResponsesRequest.static;

/** Fields the Responses API defines that this server cannot honour. */
export function refuseUnsupported(r: ResponsesRequest): void {
  if (r.background) throw unsupported("background", "Background responses");
  if (r.conversation !== undefined) throw unsupported("conversation", "Conversations");
  if (r.prompt !== undefined) throw unsupported("prompt", "Stored prompts");
}

/** The input items as chat messages, appended to `history` (a previous response's conversation). */
export function inputMessages(
  input: ResponsesRequest["input"],
  history: readonly ChatMessage[],
): ChatMessage[] {
  if (input === undefined) return [];
  if (typeof input === "string") return [{ role: "user", content: input }];
  const out: ChatMessage[] = [];
  const all = () => [...history, ...out];
  let thinking = "";
  const takeThinking = () => {
    const t = thinking;
    thinking = "";
    return t ? { thinking: t } : {};
  };
  input.forEach((item, i) => {
    const at = `input[${i}]`;
    const type = item.type ?? (item.role ? "message" : "");
    const last = out.at(-1);
    switch (type) {
      case "message": {
        const role = item.role === "developer" ? "system" : item.role;
        if (role !== "user" && role !== "system" && role !== "assistant")
          throw new OpenAIParamError(
            `${at}.role`,
            `Invalid value for '${at}.role': ${JSON.stringify(item.role)}.`,
          );
        const { text, images } = contentOf(item.content, `${at}.content`);
        const next = input[i + 1];
        // An assistant message replayed between a function_call and its output joins the call's message,
        // so the tool result still directly follows the call it answers.
        if (
          role === "assistant" &&
          last?.role === "assistant" &&
          next?.type === "function_call_output" &&
          last.tool_calls?.some((c) => c.id === next.call_id)
        ) {
          last.content = last.content && text ? `${last.content}\n${text}` : last.content || text;
          break;
        }
        out.push({
          role,
          content: text,
          ...(images.length ? { images } : {}),
          ...(role === "assistant" ? takeThinking() : {}),
        });
        break;
      }
      case "function_call": {
        if (!item.call_id || !item.name)
          throw new OpenAIParamError(at, `Invalid '${at}': a function_call needs call_id and name.`);
        const call = {
          id: item.call_id,
          function: { name: item.name, arguments: parseArguments(item.arguments, `${at}.arguments`) },
        };
        if (last?.role === "assistant") {
          last.tool_calls = [...(last.tool_calls ?? []), call];
          if (thinking) last.thinking = takeThinking().thinking;
        } else out.push({ role: "assistant", content: "", tool_calls: [call], ...takeThinking() });
        break;
      }
      case "function_call_output": {
        if (!item.call_id)
          throw new OpenAIParamError(`${at}.call_id`, `Missing required parameter: '${at}.call_id'.`);
        const { text, images } = contentOf(item.output, `${at}.output`);
        const name = toolNameOf(all(), item.call_id);
        out.push({
          role: "tool",
          content: text,
          tool_call_id: item.call_id,
          ...(name ? { tool_name: name } : {}),
          ...(images.length ? { images } : {}),
        });
        break;
      }
      case "reasoning": {
        const parts = item.summary?.map((s) => s.text) ?? [];
        if (Array.isArray(item.content)) for (const c of item.content) if (c.text) parts.push(c.text);
        thinking += parts.join("\n") || item.encrypted_content || "";
        break;
      }
      case "item_reference":
        throw unsupported(
          `${at}.type`,
          "Item references (send the item itself, or use previous_response_id)",
        );
      default:
        throw unsupported(`${at}.type`, `Input item type ${JSON.stringify(type)}`);
    }
  });
  if (thinking) out.push({ role: "assistant", content: "", thinking });
  return out;
}
