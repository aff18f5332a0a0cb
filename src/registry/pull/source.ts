/**
 * Where a blob's bytes come from: `GET /v2/<repo>/blobs/<digest>` with a Range header, through the registry
 * client (auth, redirects under its address policy). A registry may answer 307 to a CDN; the target is
 * remembered for the blob's other parts, as Ollama does, and forgotten when it stops working (signed URLs
 * expire). A registry that ignores Range answers 200 with the whole blob, which the caller reads as one stream.
 */
import { TsllmError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { RegistryResponseError, RegistryUnreachableError, safeUrl } from "../errors.ts";
import type { Credentials, RegistryClient, RegistryRef } from "../types.ts";
import {
  BlobNotFoundInRegistryError,
  BlobSizeMismatchError,
  PartStalledError,
  TruncatedBodyError,
} from "./errors.ts";

/** An answer with a body, and the blob offset its first byte is at. */
export interface OpenedRange {
  readonly body: ReadableStream<Uint8Array>;
  /** 0 for a 200 answer (the whole blob), the range start for a 206. */
  readonly start: number;
  /** False when the registry ignored the Range header. */
  readonly ranged: boolean;
}

/** Requests byte ranges of one blob. */
export class BlobSource {
  #direct: string | undefined;
  readonly #path: string;

  constructor(
    private readonly client: RegistryClient,
    private readonly ref: RegistryRef,
    private readonly digest: string,
    private readonly size: number,
    private readonly logger: Logger,
    private readonly credentials?: Credentials,
  ) {
    this.#path = `/v2/${ref.repository}/blobs/${digest}`;
  }

  /** Opens `[start, end)`; throws typed errors that isRetryable sorts into retry or fail. */
  async open(start: number, end: number, signal: AbortSignal): Promise<OpenedRange> {
    const direct = this.#direct;
    const url = direct ?? this.#path;
    let res: Response;
    try {
      res = await this.client.send(
        this.ref,
        {
          method: "GET",
          url,
          headers: { Range: `bytes=${start}-${end - 1}` },
          scope: "pull",
          redirect: "follow",
          signal,
        },
        this.credentials,
      );
    } catch (err) {
      if (direct !== undefined) this.#forget(err);
      throw err;
    }
    if (direct !== undefined && res.status !== 200 && res.status !== 206) {
      const err = await RegistryResponseError.from(res);
      this.#forget(err);
      // A CDN URL that stopped working is asked for again through the registry: always worth a retry.
      throw new RetryableError(err.message);
    }
    if (direct === undefined && res.status < 300) this.#remember(res.url);
    return this.#check(res, start, end);
  }

  async #check(res: Response, start: number, end: number): Promise<OpenedRange> {
    const fail = async (err: Error): Promise<never> => {
      await res.body?.cancel().catch(() => {});
      throw err;
    };
    if (res.status === 404) return fail(new BlobNotFoundInRegistryError(this.digest));
    if (res.status === 416) {
      const total = /\/(\d+)\s*$/.exec(res.headers.get("content-range") ?? "")?.[1];
      return fail(new BlobSizeMismatchError(this.digest, this.size, total ?? `fewer than ${end} bytes`));
    }
    if (res.status >= 300) throw await RegistryResponseError.from(res);
    if (!res.body) return fail(new TruncatedBodyError(0, end - start));
    if (res.status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get("content-range")?.trim() ?? "");
      if (!m) return fail(new RetryableError("206 answer without a valid Content-Range"));
      if (m[3] !== "*" && Number(m[3]) !== this.size)
        return fail(new BlobSizeMismatchError(this.digest, this.size, Number(m[3])));
      if (Number(m[1]) !== start) return fail(new RetryableError(`asked for byte ${start}, got ${m[1]}`));
      return { body: res.body, start, ranged: true };
    }
    const length = res.headers.get("content-length");
    if (length !== null && Number(length) !== this.size)
      return fail(new BlobSizeMismatchError(this.digest, this.size, Number(length)));
    return { body: res.body, start: 0, ranged: false };
  }

  #remember(finalUrl: string): void {
    if (!finalUrl) return;
    const asked = new URL(this.#path, `${this.ref.base}/`).href;
    if (finalUrl === asked) return;
    this.#direct = finalUrl;
    this.logger.debug("blob redirected", { digest: this.digest, to: safeUrl(finalUrl) });
  }

  #forget(err: unknown): void {
    this.#direct = undefined;
    this.logger.debug("blob redirect target failed; asking the registry again", {
      digest: this.digest,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

/** A transient failure worth another attempt. */
export class RetryableError extends TsllmError {
  constructor(message: string) {
    super(message, { code: "retryable", status: 500 });
  }
}

/** True when another attempt may succeed: network trouble, stalls, short bodies, 408/429/5xx answers. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof PartStalledError || err instanceof TruncatedBodyError || err instanceof RetryableError)
    return true;
  if (err instanceof RegistryUnreachableError) return true;
  if (err instanceof RegistryResponseError) {
    const s = err.registryStatus;
    return s === 408 || s === 429 || s >= 500;
  }
  // Local file errors reach here already typed (StorageError, DiskFullError); anything else untyped is the
  // network failing under fetch (connection reset mid-body, socket closed).
  return !(err instanceof TsllmError);
}
