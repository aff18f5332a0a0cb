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

/** Where an answer's body starts in the blob. */
export interface RangeAnswer {
  /** 0 for a 200 answer (the whole blob), the range start for a 206. */
  readonly start: number;
  /** False when the registry ignored the Range header. */
  readonly ranged: boolean;
}

/** An answer with a body, and the blob offset its first byte is at. */
export interface OpenedRange extends RangeAnswer {
  readonly body: ReadableStream<Uint8Array>;
  /** The blob offset where the range asked for ends (exclusive). */
  readonly end: number;
  /** The URL that answered (after redirects): the same bytes may be asked of it again. */
  readonly url: string;
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
    if (res.status >= 300 && res.status !== 404 && res.status !== 416)
      throw await RegistryResponseError.from(res);
    try {
      const answer = this.check(res.status, (h) => res.headers.get(h), start, end);
      if (!res.body) throw new TruncatedBodyError(0, end - start);
      return {
        ...answer,
        body: res.body,
        end,
        url: res.url || new URL(this.#path, `${this.ref.base}/`).href,
      };
    } catch (err) {
      await res.body?.cancel().catch(() => {});
      throw err;
    }
  }

  /**
   * Checks a 2xx/404/416 answer to a request for `[start, end)`: typed errors for a missing blob, a size that
   * disagrees with the manifest, or a range that is not the one asked for (retryable).
   */
  check(status: number, header: (name: string) => string | null, start: number, end: number): RangeAnswer {
    if (status === 404) throw new BlobNotFoundInRegistryError(this.digest);
    if (status === 416) {
      const total = /\/(\d+)\s*$/.exec(header("content-range") ?? "")?.[1];
      throw new BlobSizeMismatchError(this.digest, this.size, total ?? `fewer than ${end} bytes`);
    }
    if (status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header("content-range")?.trim() ?? "");
      if (!m) throw new RetryableError("206 answer without a valid Content-Range");
      if (m[3] !== "*" && Number(m[3]) !== this.size)
        throw new BlobSizeMismatchError(this.digest, this.size, Number(m[3]));
      if (Number(m[1]) !== start) throw new RetryableError(`asked for byte ${start}, got ${m[1]}`);
      return { start, ranged: true };
    }
    if (status >= 300) throw new RetryableError(`unexpected answer ${status} to a blob request`);
    const length = header("content-length");
    if (length !== null && Number(length) !== this.size)
      throw new BlobSizeMismatchError(this.digest, this.size, Number(length));
    return { start: 0, ranged: false };
  }

  /** Where the next request for the blob goes: the redirect target learned before, else the registry. */
  get url(): string {
    return this.#direct ?? new URL(this.#path, `${this.ref.base}/`).href;
  }

  /** True while requests go to a redirect target rather than the registry. */
  get redirected(): boolean {
    return this.#direct !== undefined;
  }

  /**
   * Throws RedirectRefusedError when the client's address policy refuses `url` for this registry; connects to
   * nothing. (The client checks a URL's address before it connects; a request whose signal has already
   * aborted is checked and never sent.)
   */
  async allow(url: string): Promise<void> {
    const checked = new Error("address checked");
    try {
      await this.client.send(
        this.ref,
        { method: "GET", url, scope: "pull", signal: AbortSignal.abort(checked) },
        this.credentials,
      );
    } catch (err) {
      if (err === checked) return;
      throw err;
    }
    throw new RetryableError("the address check sent a request");
  }

  /**
   * Asks the registry for `[start, end)` as `open` does but leaves a redirect unfollowed: returns where it
   * points (its body unread), or the answer to read when the registry serves the bytes itself.
   */
  async openOrLocate(start: number, end: number, signal: AbortSignal): Promise<OpenedRange | string> {
    const res = await this.client.send(
      this.ref,
      {
        method: "GET",
        url: this.#path,
        headers: { Range: `bytes=${start}-${end - 1}` },
        scope: "pull",
        redirect: "manual",
        signal,
      },
      this.credentials,
    );
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel().catch(() => {});
      return new URL(location, res.url || this.url).href;
    }
    return this.#check(res, start, end);
  }

  /** Requests for the blob go to `url` (a redirect target the registry revealed) from now on. */
  remember(url: string): void {
    this.#remember(url);
  }

  /** Requests go back to the registry (the redirect target stopped working). */
  forget(why: unknown): void {
    if (this.#direct !== undefined) this.#forget(why);
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
