/**
 * Content limits, checked where each API has built its service input and before any work (model lookup,
 * templating, tokenization): every prompt-like text (prompt, system, suffix, template, each message's
 * content and thinking, the embedding input in total) within TSLLM_MAX_PROMPT bytes of UTF-8, at most
 * TSLLM_MAX_IMAGES images, each at most TSLLM_MAX_IMAGE_SIZE once decoded. Sizes are measured without
 * copying: UTF-8 length by Buffer.byteLength only when the UTF-16 length leaves it in doubt, an image's size
 * from its base64 length.
 */
import { ImageTooLargeError, TextTooLargeError, TooManyImagesError } from "./errors.ts";
import type { RequestLimits } from "./settings.ts";

/** The limits content is held to. */
export type ContentLimits = Pick<RequestLimits, "maxPrompt" | "maxImages" | "maxImageSize">;

/** A message as the services take it (the fields the limits look at). */
export interface MessageContent {
  role: string;
  content?: string;
  thinking?: string;
  images?: readonly unknown[];
}

/** How an API names message `i`'s field in an error: a phrase, and its request path when it has one. */
export type MessageNamer = (i: number, role: string, field: string) => { what: string; param?: string };

/** Names a message by its index in the request (`messages[2].content`): messages map one to one. */
export const byIndex: MessageNamer = (i, _role, field) => {
  const path = `messages[${i}].${field}`;
  return { what: path, param: path };
};

/** Names a message by role (`a user message's content`): the API's messages do not map one to one. */
export const byRole: MessageNamer = (_i, role, field) => ({ what: `a ${role} message's ${field}` });

/** Whether `s` is certainly within `max` bytes of UTF-8 without counting them. */
function surelyWithin(s: string, max: number): boolean {
  // Each UTF-16 unit is 1 to 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4).
  return s.length * 3 <= max;
}

/** Bytes that base64 `data` decodes to (an upper bound when it holds line breaks). */
export function base64DecodedSize(data: string): number {
  let n = data.length;
  for (let pad = 0; pad < 2 && n > 0 && data.charCodeAt(n - 1) === 0x3d; pad++) n--;
  return Math.floor((n * 3) / 4);
}

/** `text` within the prompt limit (413 naming `what`). */
export function checkText(limits: ContentLimits, what: string, text: unknown, param?: string): void {
  if (typeof text !== "string" || surelyWithin(text, limits.maxPrompt)) return;
  const size = Buffer.byteLength(text, "utf8");
  if (size > limits.maxPrompt) throw new TextTooLargeError(what, size, limits.maxPrompt, param);
}

/** Each image within the decoded-size limit (413); the count is the caller's (it spans messages). */
function checkImageSizes(
  limits: ContentLimits,
  images: readonly unknown[],
  name: (j: number) => { what: string; param?: string },
): void {
  images.forEach((image, j) => {
    if (typeof image !== "string") return;
    const size = base64DecodedSize(image);
    if (size <= limits.maxImageSize) return;
    const { what, param } = name(j);
    throw new ImageTooLargeError(what, size, limits.maxImageSize, param);
  });
}

function checkImageCount(limits: ContentLimits, count: number): void {
  if (count > limits.maxImages) throw new TooManyImagesError(count, limits.maxImages);
}

/** A chat's messages within the limits; `name` says how the API calls a message in errors. */
export function checkChatContent(
  limits: ContentLimits,
  messages: readonly MessageContent[] | undefined,
  name: MessageNamer = byIndex,
): void {
  const list = messages ?? [];
  checkImageCount(
    limits,
    list.reduce((n, m) => n + (m.images?.length ?? 0), 0),
  );
  list.forEach((m, i) => {
    for (const field of ["content", "thinking"] as const) {
      const text = m[field];
      if (text === undefined) continue;
      const { what, param } = name(i, m.role, field);
      checkText(limits, what, text, param);
    }
    if (m.images) checkImageSizes(limits, m.images, (j) => name(i, m.role, `images[${j}]`));
  });
}

/** A generate request's texts and images within the limits (field names as Ollama's and OpenAI's). */
export function checkGenerateContent(
  limits: ContentLimits,
  input: {
    prompt?: string;
    system?: string;
    suffix?: string;
    template?: string;
    images?: readonly unknown[];
  },
): void {
  for (const field of ["prompt", "system", "suffix", "template"] as const)
    checkText(limits, field, input[field], field);
  const images = input.images ?? [];
  checkImageCount(limits, images.length);
  checkImageSizes(limits, images, (j) => ({ what: `images[${j}]`, param: `images[${j}]` }));
}

/** An embedding input (a string or a list; token-id lists are not text) within the limit in total. */
export function checkEmbedContent(limits: ContentLimits, input: unknown, field = "input"): void {
  const texts = typeof input === "string" ? [input] : Array.isArray(input) ? input : [];
  let total = 0;
  for (const t of texts) if (typeof t === "string") total += Buffer.byteLength(t, "utf8");
  if (total > limits.maxPrompt) {
    const what = typeof input === "string" ? field : `${field} (all texts together)`;
    throw new TextTooLargeError(what, total, limits.maxPrompt, field);
  }
}
