/**
 * Chat Completions messages → the service's chat messages: content as a string or parts (text parts
 * joined by newlines; image_url data URLs become images), `developer` as `system`, assistant tool calls
 * with their JSON-string arguments parsed, and tool results named after the call they answer (by
 * `tool_call_id`, latest call first, as Ollama resolves it).
 */
import { t } from "elysia";
import type { ChatMessage, ToolCall } from "../../templates/index.ts";
import { OpenAIParamError, unsupported } from "./errors.ts";

/** One part of a message's content. */
export const ContentPart = t.Object({
  type: t.String(),
  text: t.Optional(t.String()),
  refusal: t.Optional(t.String()),
  image_url: t.Optional(t.Union([t.String(), t.Object({ url: t.String(), detail: t.Optional(t.String()) })])),
});
/** One part of a message's content. */
export type ContentPart = typeof ContentPart.static;

/** A tool call on an assistant message. */
export const ToolCallIn = t.Object({
  id: t.Optional(t.String()),
  type: t.Optional(t.String()),
  function: t.Object({ name: t.String(), arguments: t.Optional(t.Unknown()) }),
});

/** A Chat Completions message; `reasoning`/`reasoning_content` carry an assistant turn's thinking. */
export const Message = t.Object({
  role: t.String(),
  content: t.Optional(t.Union([t.String(), t.Array(ContentPart)])),
  name: t.Optional(t.String()),
  tool_calls: t.Optional(t.Array(ToolCallIn)),
  tool_call_id: t.Optional(t.String()),
  reasoning: t.Optional(t.String()),
  reasoning_content: t.Optional(t.String()),
  function_call: t.Optional(t.Unknown()),
});
/** A Chat Completions message. */
export type Message = typeof Message.static;

const ROLES: Record<string, string> = {
  system: "system",
  developer: "system",
  user: "user",
  assistant: "assistant",
  tool: "tool",
  function: "tool",
};

const DATA_URL = /^data:(?:image\/(?:png|jpe?g|webp|gif|bmp))?;base64,/i;

/** The base64 payload of an image data URL; remote URLs and other schemes are refused naming `param`. */
export function imageData(url: string, param: string): string {
  if (/^https?:\/\//i.test(url))
    throw new OpenAIParamError(
      param,
      "Image URLs are not supported: this server does not fetch remote content. Send the image as a base64 data URL (data:image/png;base64,…).",
      "unsupported_value",
    );
  const m = DATA_URL.exec(url);
  const b64 = m ? url.slice(m[0].length) : "";
  if (!m || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64))
    throw new OpenAIParamError(
      param,
      "Invalid image: expected a base64 data URL of a png, jpeg, webp, gif or bmp.",
    );
  return b64;
}

/** A content part of either API (chat's `image_url` object, the Responses API's `input_image` string). */
export interface AnyPart {
  type: string;
  text?: string;
  refusal?: string;
  image_url?: string | { url: string };
  file_id?: string;
}

const TEXT_PARTS = new Set(["text", "input_text", "output_text"]);

/** Text and images of a content value (text parts joined by newlines); `param` names it in errors. */
export function contentOf(
  content: string | readonly AnyPart[] | undefined,
  param: string,
): { text: string; images: string[] } {
  if (content === undefined || typeof content === "string") return { text: content ?? "", images: [] };
  const texts: string[] = [];
  const images: string[] = [];
  content.forEach((p, j) => {
    const at = `${param}[${j}]`;
    if (TEXT_PARTS.has(p.type)) texts.push(p.text ?? "");
    else if (p.type === "refusal") texts.push(p.refusal ?? "");
    else if ((p.type === "image_url" || p.type === "input_image") && p.image_url !== undefined)
      images.push(
        imageData(typeof p.image_url === "string" ? p.image_url : p.image_url.url, `${at}.image_url`),
      );
    else if (p.type === "input_image") throw unsupported(`${at}.file_id`, "Images by file id");
    else throw unsupported(`${at}.type`, `Content part type ${JSON.stringify(p.type)}`);
  });
  return { text: texts.join("\n"), images };
}

/** JSON-string tool-call arguments → the object templates render. */
export function parseArguments(raw: unknown, param: string): Record<string, unknown> {
  let v = raw;
  if (raw === undefined || raw === "") return {};
  if (typeof raw === "string") {
    try {
      v = JSON.parse(raw);
    } catch {
      throw new OpenAIParamError(param, `Invalid '${param}': not valid JSON.`);
    }
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new OpenAIParamError(param, `Invalid '${param}': expected a JSON object.`);
  return v as Record<string, unknown>;
}

/** The name of the latest tool call with `id` in `messages`, if any. */
export function toolNameOf(messages: readonly ChatMessage[], id: string): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--)
    for (const c of messages[i]?.tool_calls ?? []) if (c.id === id) return c.function.name;
  return undefined;
}

/** Converts the request's messages; throws 400 naming the first bad field. */
export function chatMessages(messages: readonly Message[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  messages.forEach((m, i) => {
    const at = `messages[${i}]`;
    const role = ROLES[m.role];
    if (!role)
      throw new OpenAIParamError(`${at}.role`, `Invalid value for '${at}.role': ${JSON.stringify(m.role)}.`);
    if (m.function_call !== undefined)
      throw unsupported(`${at}.function_call`, "function_call (use tool_calls)");
    const { text, images } = contentOf(m.content, `${at}.content`);
    const msg: ChatMessage = { role, content: text };
    if (images.length) msg.images = images;
    const thinking = m.reasoning_content ?? m.reasoning;
    if (thinking) msg.thinking = thinking;
    if (m.tool_calls?.length) {
      msg.tool_calls = m.tool_calls.map(
        (c, j): ToolCall => ({
          ...(c.id ? { id: c.id } : {}),
          function: {
            name: c.function.name,
            arguments: parseArguments(c.function.arguments, `${at}.tool_calls[${j}].function.arguments`),
          },
        }),
      );
    }
    if (role === "tool") {
      if (m.tool_call_id) msg.tool_call_id = m.tool_call_id;
      const name = m.name ?? (m.tool_call_id ? toolNameOf(out, m.tool_call_id) : undefined);
      if (name) msg.tool_name = name;
    }
    out.push(msg);
  });
  return out;
}
