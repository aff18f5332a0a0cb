/** Errors of request images: all a caller's mistake (400), raised before any runner sees the image. */
import { TsllmError } from "../errors.ts";

/** Bytes that are not an image the projector path can read: unknown format, truncated or corrupt header (400). */
export class InvalidImageError extends TsllmError {
  constructor(what: string, problem: string) {
    super(`${what}: ${problem}`, { code: "invalid_image", status: 400 });
  }
}

/** An image whose header declares more pixels than TSLLM_MAX_IMAGE_PIXELS (400, refused before decoding). */
export class ImagePixelLimitError extends TsllmError {
  constructor(what: string, width: number, height: number, limit: number) {
    const mp = (n: number) => (n / 1e6).toFixed(1);
    super(
      `${what} is ${width}x${height} (${mp(width * height)} megapixels), larger than the limit of ${mp(limit)} megapixels (TSLLM_MAX_IMAGE_PIXELS)`,
      { code: "image_too_large", status: 400 },
    );
  }
}

/** The images of a prompt (with its text) need more tokens than the context holds (400). */
export class ImagesExceedContextError extends TsllmError {
  constructor(images: number, imageTokens: number, textTokens: number, numCtx: number) {
    super(
      `too many images for the context: ${images} image(s) need about ${imageTokens} tokens and the text ${textTokens}, more than the context length of ${numCtx} (num_ctx)`,
      { code: "images_exceed_context", status: 400 },
    );
  }
}

/** Message text that spells the runner's image marker itself, which would misplace the images (400). */
export class ImageMarkerInTextError extends TsllmError {
  constructor(marker: string) {
    super(`the prompt may not contain the image marker ${marker} itself`, {
      code: "invalid_input",
      status: 400,
    });
  }
}

/** The model's template rendered a different number of image positions than there are images (500). */
export class ImageTemplateError extends TsllmError {
  constructor(images: number, markers: number) {
    super(
      `the model's template placed ${markers} image position(s) for ${images} image(s); images can only be sent to a template that renders every message once`,
      { code: "image_template", status: 500 },
    );
  }
}
