/**
 * A pull's small blobs (params, template, system, license, config …) fetched while its large ones download,
 * held in memory and verified there, and written only when the pull reaches them in Ollama's order: a pull
 * that fails on a large blob still leaves nothing of them, and one that succeeds does not end with a request
 * per small blob (each cost ~15 ms after the last large one). A small blob whose early fetch failed, in any
 * way, is downloaded as any other when its turn comes, which reports what is wrong with it.
 */
import { createHash } from "node:crypto";
import type { Logger } from "../../log.ts";
import type { Credentials, RegistryClient, RegistryRef } from "../types.ts";
import { BlobSource } from "./source.ts";
import type { PullBlob } from "./validate.ts";

/** Blobs up to this size are fetched early. */
export const SMALL_BLOB_BYTES = 256 << 10;

/** The early fetches of one pull. */
export class SmallBlobs {
  readonly #fetched = new Map<string, Promise<Uint8Array | undefined>>();
  readonly #ctl = new AbortController();

  constructor(
    private readonly client: RegistryClient,
    private readonly ref: RegistryRef,
    private readonly logger: Logger,
    private readonly credentials?: Credentials,
  ) {}

  /** Starts fetching each of `blobs` small enough. */
  start(blobs: readonly PullBlob[]): void {
    for (const b of blobs)
      if (b.size > 0 && b.size <= SMALL_BLOB_BYTES && !this.#fetched.has(b.digest))
        this.#fetched.set(b.digest, this.#fetch(b));
  }

  /** The verified bytes of `digest`; undefined when it was not fetched early or that fetch failed. */
  async take(digest: string): Promise<Uint8Array | undefined> {
    return this.#fetched.get(digest);
  }

  /** Abandons the fetches still under way (the pull ended). */
  stop(): void {
    this.#ctl.abort();
  }

  async #fetch(b: PullBlob): Promise<Uint8Array | undefined> {
    try {
      const source = new BlobSource(this.client, this.ref, b.digest, b.size, this.logger, this.credentials);
      const opened = await source.open(0, b.size, this.#ctl.signal);
      const bytes = new Uint8Array(await new Response(opened.body).arrayBuffer());
      if (opened.start !== 0 || bytes.byteLength !== b.size) return undefined;
      const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
      return digest === b.digest ? bytes : undefined;
    } catch {
      return undefined;
    }
  }
}
