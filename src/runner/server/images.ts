/**
 * The runner's side of images: loading the projector the load options name, and turning a completion's text
 * prompt plus its images into the engine's prompt (text tokens and image placeholders). Every refusal is a
 * 400 raised before the request reaches the engine.
 */
import type { Context } from "../../llama/engine/context.ts";
import type { Model } from "../../llama/engine/model.ts";
import { type ImagePrompt, Projector } from "../../llama/engine/vision.ts";
import type { ImageInput, LoadOptions } from "../protocol.ts";
import { contextThreads } from "./context-options.ts";
import { RunnerRequestError } from "./validate.ts";

/** The projector named by `o` loaded for `model`, or null when there is none. */
export function loadProjector(o: LoadOptions, model: Model): Projector | null {
  if (!o.projector) return null;
  if (o.embedding) throw new RunnerRequestError("an embedding runner cannot load a vision projector");
  return Projector.load(o.projector, model, { threads: contextThreads(o), useGpu: o.num_gpu !== 0 });
}

/**
 * `prompt` with `images` as the engine's prompt. Throws a 400 when the model has no projector, the prompt is
 * token ids, the marker and image counts differ, an image does not decode, or the whole does not fit `ctx`.
 */
export function imagePrompt(
  projector: Projector | null,
  ctx: Context,
  prompt: string | number[],
  images: readonly ImageInput[],
): ImagePrompt {
  if (!projector)
    throw new RunnerRequestError(
      "this model does not support images (it has no vision projector)",
      "no_vision",
    );
  if (typeof prompt !== "string")
    throw new RunnerRequestError("a prompt with images must be text, not token ids");
  const p = projector.tokenize(ctx, prompt, images);
  // Text is cut to fit the context; images cannot be, so an over-long prompt is refused as Ollama refuses one.
  if (p.tokens.length >= ctx.nCtx) {
    p.release();
    throw new RunnerRequestError("the input length exceeds the context length", "input_too_long");
  }
  return p;
}
