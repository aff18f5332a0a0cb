/**
 * Anthropic messages and system prompt → the chat service's messages. Each content block is checked
 * against its schema; a mistake is a 400 naming the block and field. Tool results become `tool` messages
 * (before the user's own text, as they answer the previous assistant turn), tool uses become tool calls,
 * thinking blocks become the assistant message's thinking, images their base64 data.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { InvalidInputError } from "../../errors.ts";
import type { ChatInput } from "../../inference/index.ts";
import type { ToolCall } from "../../templates/index.ts";
import { decodeLenient } from "../decode.ts";
import {
  DocumentBlock,
  ImageBlock,
  type MessageParam,
  RedactedThinkingBlock,
  TextBlock,
  ThinkingBlock,
  ToolResultBlock,
  ToolUseBlock,
} from "./schema.ts";

/** A message as the chat service takes it. */
export type ServiceMessage = NonNullable<ChatInput["messages"]>[number];

type Blocks = string | Record<string, unknown>[];

const BLOCKS: Record<string, TSchema> = {
  text: TextBlock,
  image: ImageBlock,
  document: DocumentBlock,
  tool_use: ToolUseBlock,
  tool_result: ToolResultBlock,
  thinking: ThinkingBlock,
  redacted_thinking: RedactedThinkingBlock,
};

const ALLOWED: Record<string, readonly string[]> = {
  user: ["text", "image", "document", "tool_result"],
  assistant: ["text", "thinking", "redacted_thinking", "tool_use"],
  system: ["text"],
};

// Separate text blocks are separate paragraphs to the model (clients split system prompts and user turns
// into several blocks, e.g. for cache_control); gluing them would merge the last and first words.
const SEP = "\n\n";

/** Throws a 400 `path.field: problem` for the shallowest schema violation of `value`. */
export function check<T extends TSchema>(
  schema: T,
  value: unknown,
  path: string,
): asserts value is Static<T> {
  let best: { path: string; message: string; value: unknown } | undefined;
  for (const e of Value.Errors(schema, value)) if (!best || e.path.length < best.path.length) best = e;
  if (!best) return;
  const field = [path, ...best.path.split("/").filter(Boolean)].join(".");
  const v = best.value;
  if (v === undefined) throw new InvalidInputError(`${field}: field required`);
  const got = v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
  throw new InvalidInputError(`${field}: ${best.message.replace(/^Expected/, "expected")}, got ${got}`);
}

/** The blocks of `content`, each checked against its type's schema and the roles it may appear in. */
function blocks(content: Blocks, role: string, path: string) {
  const list = typeof content === "string" ? [{ type: "text", text: content }] : content;
  return list.map((block, j) => {
    const at = `${path}.${j}`;
    const type = block.type;
    if (typeof type !== "string") throw new InvalidInputError(`${at}.type: field required`);
    const schema = BLOCKS[type];
    if (!schema) throw new InvalidInputError(`${at}.type: content block type "${type}" is not supported`);
    if (!ALLOWED[role]?.includes(type))
      throw new InvalidInputError(`${at}.type: "${type}" blocks are not allowed in ${role} messages`);
    // Null means "not set" inside blocks too (`"is_error": null`), as it does at the top level.
    const decoded = decodeLenient(schema, block) as Record<string, unknown>;
    check(schema, decoded, at);
    return { block: decoded, at };
  });
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Base64 data of an image block; other sources are refused (the server fetches nothing). */
function imageData(b: Static<typeof ImageBlock>, at: string): string {
  const src = b.source;
  if (src.type !== "base64")
    throw new InvalidInputError(
      `${at}.source.type: image source "${src.type}" is not supported; send the image as base64 data`,
    );
  const data = (src.data ?? "").replace(/\s+/g, "");
  if (data === "" || data.length % 4 !== 0 || !BASE64.test(data))
    throw new InvalidInputError(`${at}.source.data: invalid base64 image data`);
  return data;
}

/** Text of a document block: plain-text sources only. */
function documentText(b: Static<typeof DocumentBlock>, at: string): string {
  if (b.source.type !== "text")
    throw new InvalidInputError(
      `${at}.source.type: document source "${b.source.type}" is not supported; only plain-text documents are`,
    );
  return b.source.data ?? "";
}

/** Text and images of a `tool_result`'s content (a string or text, image and document blocks). */
function toolResult(b: Static<typeof ToolResultBlock>, at: string): ServiceMessage {
  const text: string[] = [];
  const images: string[] = [];
  for (const { block, at: inner } of blocks(b.content ?? "", "user", `${at}.content`)) {
    if (block.type === "text") text.push((block as Static<typeof TextBlock>).text);
    else if (block.type === "image") images.push(imageData(block as Static<typeof ImageBlock>, inner));
    else if (block.type === "document") text.push(documentText(block as Static<typeof DocumentBlock>, inner));
    else throw new InvalidInputError(`${inner}.type: "${block.type}" blocks are not allowed in tool results`);
  }
  // The model learns a call failed only from the text it reads.
  const content = (b.is_error ? "Error: " : "") + text.join(SEP);
  return { role: "tool", content, tool_call_id: b.tool_use_id, ...(images.length ? { images } : {}) };
}

/** One Anthropic message → service messages; `toolNames` maps tool_use ids seen so far to their names. */
function convertMessage(msg: MessageParam, i: number, toolNames: Map<string, string>): ServiceMessage[] {
  const role = msg.role;
  if (!ALLOWED[role])
    throw new InvalidInputError(
      `messages.${i}.role: expected "user" or "assistant", got ${JSON.stringify(role)}`,
    );
  const text: string[] = [];
  const thinking: string[] = [];
  const images: string[] = [];
  const calls: ToolCall[] = [];
  const results: ServiceMessage[] = [];
  for (const { block, at } of blocks(msg.content, role, `messages.${i}.content`)) {
    switch (block.type) {
      case "text":
        text.push((block as Static<typeof TextBlock>).text);
        break;
      case "image":
        images.push(imageData(block as Static<typeof ImageBlock>, at));
        break;
      case "document":
        text.push(documentText(block as Static<typeof DocumentBlock>, at));
        break;
      case "thinking":
        thinking.push((block as Static<typeof ThinkingBlock>).thinking);
        break;
      case "tool_use": {
        const b = block as Static<typeof ToolUseBlock>;
        toolNames.set(b.id, b.name);
        calls.push({ id: b.id, function: { name: b.name, arguments: b.input } });
        break;
      }
      case "tool_result": {
        const r = toolResult(block as Static<typeof ToolResultBlock>, at);
        const name = r.tool_call_id === undefined ? undefined : toolNames.get(r.tool_call_id);
        results.push(name === undefined ? r : { ...r, tool_name: name });
        break;
      }
      // redacted_thinking: opaque to every model but the one that wrote it.
    }
  }
  const own: ServiceMessage = {
    role,
    content: text.join(SEP),
    ...(thinking.length ? { thinking: thinking.join(SEP) } : {}),
    ...(images.length ? { images } : {}),
    ...(calls.length ? { tool_calls: calls } : {}),
  };
  // A user turn holding only tool results adds no user message of its own.
  const hasOwn = results.length === 0 || text.length > 0 || images.length > 0;
  return hasOwn ? [...results, own] : results;
}

/** `system` (a string or text blocks) as a system message, or nothing when absent or empty. */
export function systemMessages(system: Blocks | undefined): ServiceMessage[] {
  if (system === undefined) return [];
  const text = blocks(system, "system", "system")
    .map(({ block }) => (block as Static<typeof TextBlock>).text)
    .join(SEP);
  return text === "" ? [] : [{ role: "system", content: text }];
}

/** The whole conversation: the system prompt, then every message in order. */
export function serviceMessages(system: Blocks | undefined, messages: MessageParam[]): ServiceMessage[] {
  if (messages.length === 0) throw new InvalidInputError("messages: at least one message is required");
  const toolNames = new Map<string, string>();
  return [...systemMessages(system), ...messages.flatMap((m, i) => convertMessage(m, i, toolNames))];
}
