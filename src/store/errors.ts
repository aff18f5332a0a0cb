import { TsllmError } from "../errors.ts";

/** A model name that does not follow `[host/][namespace/]model[:tag]` or its character rules. */
export class InvalidNameError extends TsllmError {
  constructor(message: string) {
    super(message, { code: "invalid_model_name", status: 400 });
  }
}

/** A digest that is not `sha256:<64 hex>` (or the `sha256-` file form); Ollama's text, without the digest. */
export class InvalidDigestError extends TsllmError {
  /** The digest as given. */
  readonly digest: string;

  constructor(digest: string) {
    super("invalid digest format", { code: "invalid_digest", status: 400 });
    this.digest = digest;
  }
}

/** Uploaded bytes whose sha256 differs from the digest they were sent under. */
export class DigestMismatchError extends TsllmError {
  constructor(expected: string, actual: string) {
    super(`digest mismatch, expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`, {
      code: "digest_mismatch",
      status: 400,
    });
  }
}

/** A blob the store does not hold. */
export class BlobNotFoundError extends TsllmError {
  constructor(digest: string) {
    super(`blob ${JSON.stringify(digest)} not found`, { code: "blob_not_found", status: 404 });
  }
}

/**
 * How Ollama words a missing model depends on the endpoint:
 * "single" `model 'x' not found` (show, generate, chat, delete), "quoted" `model "x" not found` (copy),
 * "pull" `model "x" not found, try pulling it first` (scheduling).
 */
export type NotFoundWording = "single" | "quoted" | "pull";

/** A model name with no manifest in the store. */
export class ModelNotFoundError extends TsllmError {
  /** The name as the caller spelled it. */
  readonly model: string;

  constructor(model: string, wording: NotFoundWording = "single") {
    const q = JSON.stringify(model);
    const message =
      wording === "single"
        ? `model '${model}' not found`
        : wording === "quoted"
          ? `model ${q} not found`
          : `model ${q} not found, try pulling it first`;
    super(message, { code: "model_not_found", status: 404 });
    this.model = model;
  }
}

/** A manifest or config blob on disk that cannot be parsed; `what` names the model, never a path. */
export class CorruptManifestError extends TsllmError {
  constructor(what: string, cause?: unknown) {
    super(`corrupt manifest: ${what}`, { code: "corrupt_manifest", status: 500, cause });
  }
}

/** The disk (or quota) filled while a blob was written; nothing was kept. */
export class DiskFullError extends TsllmError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: "insufficient_storage", status: 507, cause });
  }
}

/** A filesystem failure in the store, worded without the path (clients must never see the store's location). */
export class StorageError extends TsllmError {
  /** The errno code (EACCES, EIO, …) when the failure had one. */
  readonly errno?: string;

  constructor(message: string, errno?: string, cause?: unknown) {
    super(message, { code: "storage", status: 500, cause });
    this.errno = errno;
  }
}

/** A blob upload whose sender paused longer than the body timeout; the partial blob was removed. */
export class UploadStalledError extends TsllmError {
  constructor(timeoutMs: number) {
    super(`blob upload stalled: no data for ${timeoutMs / 1000}s (TSLLM_BODY_TIMEOUT)`, {
      code: "upload_stalled",
      status: 408,
    });
  }
}

/** A blob write cut off because the server is shutting down; the partial blob was removed. */
export class StoreClosedError extends TsllmError {
  constructor() {
    super("the server is shutting down; retry the upload", { code: "shutting_down", status: 503 });
  }
}

/** A manifest names a blob the store no longer holds (deleted as corrupt, or removed by hand). */
export class MissingBlobError extends TsllmError {
  constructor(model: string, digest: string) {
    super(`model ${JSON.stringify(model)} is missing its blob ${digest}; create or pull it again`, {
      code: "missing_blob",
      status: 500,
    });
  }
}
