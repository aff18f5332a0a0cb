/** Wire shapes several Ollama endpoints share. */
import { Type } from "@sinclair/typebox";
import { t } from "elysia";

/**
 * A JSON integer, strictly: Elysia's `t.Integer` also takes numeric strings ("5"), which Ollama's Go
 * decoder refuses with a 400.
 */
export const Int = () => Type.Integer();

/** `options`: a free map, type-checked by the service (unknown keys are ignored there). */
export const Options = t.Optional(t.Record(t.String(), t.Unknown()));

/** `keep_alive`: seconds as a number, or a duration string ("5m", "1h30m", "-1"). */
export const KeepAlive = t.Optional(t.Union([t.String(), t.Number()]));

/** A tool call on an assistant message. */
export const ToolCall = t.Object({
  id: t.Optional(t.String()),
  function: t.Object({
    index: t.Optional(Int()),
    name: t.String(),
    arguments: t.Record(t.String(), t.Unknown()),
  }),
});

/** A chat message. */
export const Message = t.Object({
  role: t.String(),
  content: t.Optional(t.String()),
  thinking: t.Optional(t.String()),
  images: t.Optional(t.Array(t.String())),
  tool_calls: t.Optional(t.Array(ToolCall)),
  tool_name: t.Optional(t.String()),
  tool_call_id: t.Optional(t.String()),
});

/**
 * A tool's `parameters`: a JSON schema kept as given (other keywords too), except that its top-level fields
 * are typed as Ollama's ToolFunctionParameters struct types them, so `"properties": null` (what Go's client
 * sends for a tool without parameters) is unset, not a broken schema.
 */
export const ToolParameters = t.Object(
  {
    type: t.Optional(t.String()),
    required: t.Optional(t.Array(t.String())),
    properties: t.Optional(t.Record(t.String(), t.Unknown())),
  },
  { additionalProperties: true },
);

/** A function tool definition. */
export const Tool = t.Object({
  type: t.String(),
  items: t.Optional(t.Unknown()),
  function: t.Object({
    name: t.String(),
    description: t.Optional(t.String()),
    parameters: t.Optional(ToolParameters),
  }),
});

/**
 * `think`: a boolean or a level string, checked by the service so a wrong value gets Ollama's ThinkValue
 * texts (`think must be a boolean or string (…)`, `invalid think value: …`); null is unset.
 */
export const Think = t.Optional(t.Unknown());

/** RFC 3339 timestamp for `created_at`. */
export function now(): string {
  return new Date().toISOString();
}

/** Fields /api/generate and /api/chat share: streaming, output format, lifetime, options and output shaping. */
export const CompletionFields = {
  stream: t.Optional(t.Boolean()),
  format: t.Optional(t.Unknown()),
  keep_alive: KeepAlive,
  options: Options,
  think: Think,
  truncate: t.Optional(t.Boolean()),
  shift: t.Optional(t.Boolean()),
  logprobs: t.Optional(t.Boolean()),
  top_logprobs: t.Optional(Int()),
};
