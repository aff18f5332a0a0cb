/**
 * Pull's errors. Ollama answers every pull failure with 500 (its handler sets no other status), so these do
 * too, except a full disk (507). Texts start as Ollama's do ("pull model manifest: …", "digest mismatch, file
 * must be downloaded again: …", "max retries exceeded: …") and name the blob where one is at fault.
 */
import { TsllmError } from "../../errors.ts";

/** The manifest could not be fetched or is not one tsllm may store: `pull model manifest: <why>`. */
export class PullManifestError extends TsllmError {
  constructor(detail: string, opts: { status?: number; cause?: unknown } = {}) {
    super(`pull model manifest: ${detail}`, {
      code: "pull_manifest",
      fault: false,
      status: opts.status ?? 500,
      cause: opts.cause,
    });
  }
}

/** A manifest tsllm refuses before any download: not JSON, duplicate or non-sha256 digest, bad size or type. */
export class InvalidManifestError extends PullManifestError {
  constructor(why: string) {
    super(`invalid manifest: ${why}`);
  }
}

/** A model whose layers are safetensors tensors (Ollama's MLX models): tsllm runs GGUF models only. */
export class UnsupportedModelError extends TsllmError {
  constructor(mediaType: string) {
    super(
      `this model is made of safetensors tensor layers (${mediaType}), which tsllm cannot run: it serves GGUF models`,
      { code: "unsupported_model", fault: false, status: 500 },
    );
  }
}

/** The downloaded bytes hash to another digest: nothing was kept. Ollama's errDigestMismatch text. */
export class BlobDigestMismatchError extends TsllmError {
  constructor(want: string, got: string) {
    super(`digest mismatch, file must be downloaded again: want ${want}, got ${got}`, {
      code: "digest_mismatch",
      fault: false,
      status: 500,
    });
  }
}

/** The registry's blob is not as long as the manifest says. */
export class BlobSizeMismatchError extends TsllmError {
  constructor(digest: string, manifestSize: number, registrySize: number | string) {
    super(
      `blob ${digest} size mismatch: the manifest says ${manifestSize} bytes, the registry has ${registrySize}`,
      { code: "blob_size_mismatch", fault: false, status: 500 },
    );
  }
}

/** The registry has no such blob (404): Ollama's os.ErrNotExist text, with the digest. */
export class BlobNotFoundInRegistryError extends TsllmError {
  constructor(digest: string) {
    super(`pull blob ${digest}: file does not exist`, {
      code: "blob_not_in_registry",
      fault: false,
      status: 500,
    });
  }
}

/** A blob part failed every retry; the partial download is kept for the next pull to resume. */
export class MaxRetriesError extends TsllmError {
  constructor(digest: string, last: unknown) {
    const why = last instanceof Error ? last.message : String(last);
    super(`max retries exceeded: pull blob ${digest}: ${why}`, {
      code: "max_retries",
      fault: false,
      status: 500,
      cause: last,
    });
  }
}

/** No byte arrived on a part for the stall timeout (retried, never shown unless retries run out). */
export class PartStalledError extends TsllmError {
  constructor(stallMs: number) {
    super(`part stalled: no data for ${stallMs / 1000}s (TSLLM_DOWNLOAD_STALL)`, {
      code: "part_stalled",
      fault: false,
      status: 500,
    });
  }
}

/** A response body that ended before its range did (retried from where it stopped). */
export class TruncatedBodyError extends TsllmError {
  constructor(got: number, wanted: number) {
    super(`transfer ended after ${got} of ${wanted} bytes`, {
      code: "truncated_body",
      fault: false,
      status: 500,
    });
  }
}
