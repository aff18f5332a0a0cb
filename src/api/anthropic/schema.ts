/**
 * Anthropic Messages API request shapes. Content blocks arrive as free objects (the request schema keeps
 * every field of them) and are checked one by one against the block schemas below, so an error names the
 * exact block and field (`messages.1.content.0.source.type`).
 */
import { Type } from "@sinclair/typebox";
import { t } from "elysia";

// Elysia's t.Integer also takes numeric strings (for query strings); JSON bodies take numbers only.
const Integer = Type.Integer;

/** Any JSON object, kept as sent. */
const Obj = t.Record(t.String(), t.Unknown());

/** A content block before its type is known. */
export const AnyBlock = Obj;

/** `content` of a message or `system`: a string or a list of blocks. */
const Content = t.Union([t.String(), t.Array(AnyBlock)]);

/** A message: `user`, `assistant` (or `system`, as newer SDKs allow). */
export const MessageParam = t.Object({ role: t.String(), content: Content });
/** A message. */
export type MessageParam = typeof MessageParam.static;

/** A tool: a custom tool with an input schema; server tools (`type` other than "custom") are refused. */
export const ToolParam = t.Object({
  name: t.String(),
  description: t.Optional(t.String()),
  input_schema: t.Optional(Obj),
  type: t.Optional(t.String()),
});
/** A tool. */
export type ToolParam = typeof ToolParam.static;

/** `tool_choice`: auto, any, tool (with `name`) or none. */
export const ToolChoiceParam = t.Object({
  type: t.String(),
  name: t.Optional(t.String()),
  disable_parallel_tool_use: t.Optional(t.Boolean()),
});
/** `tool_choice`. */
export type ToolChoiceParam = typeof ToolChoiceParam.static;

/** `thinking`: enabled (with `budget_tokens`), disabled, adaptive or between_tools. */
export const ThinkingParam = t.Object({
  type: t.String(),
  budget_tokens: t.Optional(Integer()),
  display: t.Optional(t.String()),
});
/** `thinking`. */
export type ThinkingParam = typeof ThinkingParam.static;

/** `output_config`: `effort` (a thinking level) and `format` (a JSON schema the text must follow). */
export const OutputConfigParam = t.Object({
  effort: t.Optional(t.String()),
  format: t.Optional(t.Object({ type: t.String(), schema: t.Optional(Obj) })),
});

/** What `/v1/messages/count_tokens` takes: the prompt part of a messages request. */
const PromptFields = {
  model: t.String(),
  messages: t.Array(MessageParam),
  system: t.Optional(Content),
  tools: t.Optional(t.Array(ToolParam)),
  tool_choice: t.Optional(ToolChoiceParam),
  thinking: t.Optional(ThinkingParam),
  output_config: t.Optional(OutputConfigParam),
};

/** POST /v1/messages/count_tokens. */
export const CountTokensRequest = t.Object(PromptFields);
/** POST /v1/messages/count_tokens. */
export type CountTokensRequest = typeof CountTokensRequest.static;

/** POST /v1/messages. `max_tokens` is required, as Anthropic requires it. */
export const MessagesRequest = t.Object({
  ...PromptFields,
  max_tokens: Integer({ minimum: 1 }),
  stream: t.Optional(t.Boolean()),
  stop_sequences: t.Optional(t.Array(t.String())),
  temperature: t.Optional(t.Number()),
  top_p: t.Optional(t.Number()),
  top_k: t.Optional(Integer()),
  metadata: t.Optional(Obj),
});
/** POST /v1/messages. */
export type MessagesRequest = typeof MessagesRequest.static;

// Content blocks, checked one at a time (see content.ts). Fields not listed (cache_control, citations,
// caller, …) are accepted and ignored.

/** `text`. */
export const TextBlock = t.Object({ type: t.Literal("text"), text: t.String() });

/** `image`: base64 data; `url` and `file` sources are refused (the server fetches nothing). */
export const ImageBlock = t.Object({
  type: t.Literal("image"),
  source: t.Object({ type: t.String(), media_type: t.Optional(t.String()), data: t.Optional(t.String()) }),
});

/** `document`: plain-text sources only. */
export const DocumentBlock = t.Object({
  type: t.Literal("document"),
  source: t.Object({ type: t.String(), data: t.Optional(t.String()) }),
});

/** `tool_use` (assistant turns): a call the model made earlier. */
export const ToolUseBlock = t.Object({
  type: t.Literal("tool_use"),
  id: t.String(),
  name: t.String(),
  input: Obj,
});

/** `tool_result` (user turns): a tool's answer to a `tool_use`. */
export const ToolResultBlock = t.Object({
  type: t.Literal("tool_result"),
  tool_use_id: t.String(),
  content: t.Optional(Content),
  is_error: t.Optional(t.Boolean()),
});

/** `thinking` (assistant turns); the signature is accepted and not checked. */
export const ThinkingBlock = t.Object({
  type: t.Literal("thinking"),
  thinking: t.String(),
  signature: t.Optional(t.String()),
});

/** `redacted_thinking` (assistant turns): opaque, dropped from the prompt. */
export const RedactedThinkingBlock = t.Object({ type: t.Literal("redacted_thinking"), data: t.String() });
