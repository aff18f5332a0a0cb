/**
 * Pulling a model as Ollama's PullModel does: "pulling manifest", each blob ("pulling <hex12>", skipped when
 * present), "verifying sha256 digest" (already done while downloading), "writing manifest" (the raw bytes,
 * last and atomically), "removing unused layers" of the name's previous manifest, "success".
 */
import { stat } from "node:fs/promises";
import type { Logger } from "../../log.ts";
import { type ModelName, type ModelStore, PartialBlob, referencedDigests } from "../../store/index.ts";
import type { RegistryClient, TransferOptions } from "../types.ts";
import { ensureFreeSpace } from "./disk.ts";
import { type DownloadDeps, prewarmWorkers } from "./download.ts";
import { blobProgress, downloadsFor } from "./downloads.ts";
import { fetchManifest } from "./manifest.ts";
import { bytesDone, type PartSizes } from "./plan.ts";
import { SmallBlobs } from "./small-blobs.ts";
import type { PullBlob } from "./validate.ts";

/** What a pull needs. */
export interface PullDeps {
  readonly store: ModelStore;
  readonly client: RegistryClient;
  readonly logger: Logger;
  /** Parallel Range requests per blob (TSLLM_DOWNLOAD_PARTS). */
  readonly parts: number;
  /** A part that moves no byte this long is retried (TSLLM_DOWNLOAD_STALL). */
  readonly stallMs: number;
  /** Remove the previous manifest's layers nothing references any more (false with TSLLM_NOPRUNE). */
  readonly prune: boolean;
  /** Part size bounds (tests and benchmarks; 16–128 MiB by default). */
  readonly partSizes?: PartSizes;
  /** First retry delay of a failed part, doubled per attempt (1 s by default). */
  readonly retryDelayMs?: number;
  /** Starts a download's transfer worker (tests). */
  readonly spawnTransfer?: () => Worker;
  /** A proxy is configured (proxyConfigured): the transfer worker makes its requests with fetch. */
  readonly proxied?: boolean;
  /** Plain-http bodies go from socket to file through splice (true when unset; Linux only). */
  readonly splice?: boolean;
}

/** Pulls `name` into the store; progress goes to `opts.onProgress`, errors are thrown. */
export async function pullModel(deps: PullDeps, name: string, opts: TransferOptions = {}): Promise<void> {
  const { store, client, logger } = deps;
  const emit = opts.onProgress ?? (() => {});
  const ref = client.ref(name, { insecure: opts.insecure });
  const target = await store.manifests.existingName(ref.name);
  const previous = await previousDigests(store, target, logger);

  emit({ status: "pulling manifest" });
  const fetched = await fetchManifest(client, ref, { credentials: opts.credentials, signal: opts.signal });
  // Pinned until the manifest is written: a delete or prune running meanwhile must not take these blobs.
  const release = store.pin(fetched.blobs.map((b) => b.digest));
  const small = new SmallBlobs(client, ref, logger, opts.credentials);
  try {
    const missing = await missingBlobs(store, fetched.blobs);
    let needed = 0;
    for (const b of missing) needed += b.size - ((await resumable(store, b)) ?? 0);
    await ensureFreeSpace(store.blobs.dir, needed, name);

    prewarmWorkers(
      missing.map((b) => b.size),
      deps,
    );
    small.start(missing);
    const downloads = downloadsFor(store);
    const missingSet = new Set(missing.map((b) => b.digest));
    const { manifest } = fetched;
    // Ollama's order: layers, then the config; a digest named twice is fetched once and reported as present.
    const order = [...manifest.layers, ...(manifest.config.digest ? [manifest.config] : [])];
    for (const layer of order) {
      if (!missingSet.delete(layer.digest)) {
        emit(blobProgress(layer.digest, layer.size, layer.size));
        continue;
      }
      const early = await small.take(layer.digest);
      if (early) {
        await store.blobs.writeBytes(early);
        emit(blobProgress(layer.digest, layer.size, layer.size));
        continue;
      }
      await downloads.fetch(
        downloadDeps(deps),
        { ref, digest: layer.digest, size: layer.size, credentials: opts.credentials },
        { signal: opts.signal, onProgress: emit },
      );
    }

    emit({ status: "verifying sha256 digest" });
    emit({ status: "writing manifest" });
    await store.manifests.writeRaw(target, fetched.raw);
    logger.info("pulled model", { model: name, layers: fetched.blobs.length, fetched: missing.length });

    const kept = new Set(fetched.blobs.map((b) => b.digest));
    const unused = previous.filter((d) => !kept.has(d));
    if (deps.prune && unused.length > 0) {
      emit({ status: "removing unused layers" });
      try {
        await store.removeUnreferenced(unused);
      } catch (err) {
        emit({
          status: `couldn't remove unused layers: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    }
    emit({ status: "success" });
  } finally {
    small.stop();
    release();
  }
}

/** Digests the name's current manifest references (Ollama's deleteMap); none when it has no readable one. */
async function previousDigests(store: ModelStore, name: ModelName, logger: Logger): Promise<string[]> {
  try {
    const stored = await store.manifests.read(name);
    return stored ? referencedDigests(stored.manifest) : [];
  } catch (err) {
    logger.warn("pulling model with bad existing manifest", {
      error: err instanceof Error ? err.message : String(err),
    });
    return [];
  }
}

/** Blobs not in the store, or present with another size than the manifest's (damaged: fetched again). */
async function missingBlobs(store: ModelStore, blobs: readonly PullBlob[]): Promise<PullBlob[]> {
  const out: PullBlob[] = [];
  for (const b of blobs) {
    const present = (await store.blobs.has(b.digest)) ? await store.blobs.size(b.digest) : undefined;
    if (present !== b.size) out.push(b);
  }
  return out;
}

/**
 * Bytes of `b` that need no new disk space: what its resume state claims, or what its partial file already
 * occupies when that is more (bytes written after the last checkpoint are rewritten in place, not added).
 */
async function resumable(store: ModelStore, b: PullBlob): Promise<number | undefined> {
  const partial = new PartialBlob(store.blobs, b.digest);
  const state = await partial.load(b.size);
  const allocated = await stat(partial.dataPath).then(
    (s) => Math.min(b.size, Number(s.blocks) * 512),
    () => 0,
  );
  const done = state ? bytesDone(state.parts) : 0;
  return Math.max(done, allocated) || undefined;
}

function downloadDeps(deps: PullDeps): DownloadDeps {
  const { store, client, logger, parts, stallMs, partSizes, retryDelayMs, spawnTransfer, proxied, splice } =
    deps;
  return { store, client, logger, parts, stallMs, partSizes, retryDelayMs, spawnTransfer, proxied, splice };
}
