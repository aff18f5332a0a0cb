/**
 * Images of one chat or generate request, from checked request to runner request: every image made ready
 * before a runner is scheduled (a bad one is a 400 without a load), markers placed in the messages, the images
 * of the messages that survive truncation picked in prompt order, and the context checked with their cost.
 */
import type { CompletionDone } from "../runner/protocol.ts";
import type { ChatMessage } from "../templates/index.ts";
import type { InferenceDeps } from "./deps.ts";
import type { ResolvedModel } from "./model.ts";
import { imageSize, type RunnerImage, prepareImages } from "./vision.ts";
import { ImagesExceedContextError, ImageTemplateError } from "./vision-errors.ts";
import {
  countMarkers,
  type ImageCost,
  imageCost,
  imagesTokens,
  MEDIA_MARKER,
  markMessages,
} from "./vision-prompt.ts";

/** The images of a conversation, ready for the runner. */
export interface ConversationImages {
  /** The conversation with each image's marker in its message's text. */
  messages: ChatMessage[];
  /** What one image costs in the context. */
  cost: ImageCost;
  /** The runner images of the given (kept) messages, in prompt order. */
  of(kept: readonly ChatMessage[]): RunnerImage[];
  /** The context tokens the images of `msg` take. */
  tokensOf(msg: ChatMessage): number;
}

/** What an image of this model costs: read from its projector's header (Ollama's estimate without one). */
export async function modelImageCost(
  deps: Pick<InferenceDeps, "cache">,
  m: ResolvedModel,
): Promise<ImageCost> {
  const path = m.stored.projectorPaths[0];
  return imageCost(path ? await deps.cache.gguf(path) : undefined);
}

/**
 * Prepares the images of `messages` (undefined when there are none). Errors name the request's field:
 * `messages[i].images[j]`, with `i` counted from `first` (the first message the client sent).
 */
export async function conversationImages(
  deps: Pick<InferenceDeps, "config" | "webp" | "cache">,
  m: ResolvedModel,
  messages: readonly ChatMessage[],
  first: number,
): Promise<ConversationImages | undefined> {
  if (!messages.some((msg) => msg.images?.length)) return undefined;
  const marked = markMessages(messages);
  const ready = new Map<ChatMessage, RunnerImage[]>();
  for (const [i, msg] of marked.entries()) {
    const images = (msg.images ?? []).filter((x): x is string => typeof x === "string");
    if (images.length === 0) continue;
    ready.set(msg, await prepareImages(deps, images, (j) => `messages[${i - first}].images[${j}]`));
  }
  const cost = await modelImageCost(deps, m);
  return {
    messages: marked,
    cost,
    of: (kept) => kept.flatMap((msg) => ready.get(msg) ?? []),
    tokensOf: (msg) => {
      const images = ready.get(msg);
      if (!images) return cost.tokens * (msg.images?.length ?? 0);
      return imagesTokens(
        cost,
        images.map((i) => imageSize(i) ?? {}),
      );
    },
  };
}

/**
 * Checks a rendered prompt against its images: one marker per image (a template that drops or repeats a
 * message would misplace them), and text plus images within num_ctx when the image cost is known exactly
 * (otherwise the runner, which knows, decides).
 */
export function checkImagePrompt(
  prompt: string,
  images: readonly RunnerImage[],
  cost: ImageCost,
  textTokens: number,
  numCtx: number,
): void {
  const markers = countMarkers(prompt);
  if (markers !== images.length) throw new ImageTemplateError(images.length, markers);
  const imageTokens = imagesTokens(
    cost,
    images.map((i) => imageSize(i) ?? {}),
  );
  if (cost.exact && images.length > 0 && textTokens + imageTokens >= numCtx)
    throw new ImagesExceedContextError(images.length, imageTokens, textTokens, numCtx);
}

/**
 * Logs (debug) how many images the runner encoded and how many it reused from a slot's cache: Ollama's wire
 * has no field for it, so it is kept out of the responses.
 */
export function imageTimingsLogger(
  deps: Pick<InferenceDeps, "logger">,
  model: string,
): (timings: CompletionDone["timings"]) => void {
  return (t) => {
    if (t.images_encoded === undefined && t.images_cached === undefined) return;
    deps.logger.debug("images", { model, encoded: t.images_encoded ?? 0, cached: t.images_cached ?? 0 });
  };
}

/**
 * Text tokens of a prompt with image markers, counted as the runner tokenizes it: the text between the
 * markers piece by piece (special tokens added once, at the start), the markers themselves not at all.
 */
export async function textTokensAround(
  tokenize: (text: string, addSpecial: boolean) => Promise<number[]>,
  prompt: string,
): Promise<number> {
  let count = 0;
  for (const [i, piece] of prompt.split(MEDIA_MARKER).entries())
    if (piece || i === 0) count += (await tokenize(piece, i === 0)).length;
  return count;
}
