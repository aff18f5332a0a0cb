/** Errors of the multimodal library (libmtmd) and of images passed to it. */
import { TsllmError } from "../../errors.ts";

/** libmtmd.so is missing or unusable in this process. */
export class MtmdUnavailableError extends TsllmError {
  constructor(detail: string) {
    super(`the multimodal library is not available: ${detail}`, { code: "mtmd_unavailable", status: 500 });
  }
}

/** The projector (mmproj) file could not be loaded for this model. */
export class ProjectorLoadError extends TsllmError {
  constructor(path: string, detail: string) {
    super(`cannot load the vision projector ${path}: ${detail}`, { code: "projector_load", status: 500 });
  }
}

/** A request's image cannot be used: undecodable bytes, a bad id, or a failed encode (400). */
export class ImageInputError extends TsllmError {
  constructor(message: string, code = "invalid_image") {
    super(message, { code, status: 400 });
  }
}
