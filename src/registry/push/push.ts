/**
 * pushModel: Ollama's PushModel over the registry protocol. Every blob (layers, then config) is made present
 * in the target repository, then the stored manifest is PUT byte for byte, so the registry's manifest digest
 * is the local model's digest.
 */
import type { Logger } from "../../log.ts";
import {
  formatName,
  type Layer,
  MediaType,
  MissingBlobError,
  type ModelStore,
  referencedDigests,
  type StoredManifest,
} from "../../store/index.ts";
import type { RegistryClient, TransferOptions } from "../types.ts";
import { pushBlob } from "./blob.ts";
import { type LocalBlob, type PushContext, repoPath, send } from "./context.ts";
import { BlobSizeMismatchError, PushSourceMissingError } from "./errors.ts";
import { drain, expectOk } from "./http.ts";
import { mountSources } from "./mount.ts";
import { withRetries } from "./retry.ts";

/** What a push needs: the store it reads, the registry client, a logger, and tuning for tests. */
export interface PushDeps {
  store: ModelStore;
  client: RegistryClient;
  logger: Logger;
  /** Bytes per PATCH (default: Ollama's rule, a sixteenth of the blob within 100 MB … 1000 MB). */
  chunkSize?: number;
  /** First retry delay in ms, doubled per retry (default 1000, as Ollama). */
  backoffMs?: number;
}

/** Pushes a local model to its registry; progress lines go to `opts.onProgress` exactly as Ollama's. */
export async function pushModel(deps: PushDeps, name: string, opts: TransferOptions = {}): Promise<void> {
  const emit = opts.onProgress ?? (() => {});
  const logger = deps.logger.child("push");
  // A malformed name is the caller's mistake (400), refused before any progress line.
  const local = await deps.store.resolveName(name);
  emit({ status: "retrieving manifest" });
  const asked = deps.client.ref(name, { insecure: opts.insecure });
  const stored = await deps.store.manifests.read(local);
  if (!stored) {
    emit({ status: "couldn't retrieve manifest" });
    throw new PushSourceMissingError(local);
  }
  // The registry sees the name as the store spells it (Ollama's getExistingName), with the scheme asked for.
  const ref = deps.client.ref(`${asked.name.scheme}://${formatName(local)}`, { insecure: opts.insecure });
  const ctx: PushContext = {
    client: deps.client,
    ref,
    credentials: opts.credentials,
    signal: opts.signal,
    logger,
    partSize: deps.chunkSize,
    backoffMs: deps.backoffMs ?? 1000,
  };
  // A delete running meanwhile must not remove a blob this push is still reading.
  const release = deps.store.pin(referencedDigests(stored.manifest));
  try {
    const blobs = await localBlobs(deps.store, stored);
    const mountFrom = await mountSources(deps.store, ref);
    logger.info("pushing model", { model: formatName(local), registry: ref.base });
    for (const [layer, blob] of blobs) await pushBlob(ctx, blob, mountFrom(layer), emit);
    emit({ status: "pushing manifest" });
    await putManifest(ctx, stored);
    emit({ status: "success" });
  } finally {
    release();
  }
}

/** Layers then config (Ollama's order), each checked against its file before anything is sent. */
async function localBlobs(store: ModelStore, stored: StoredManifest): Promise<[Layer, LocalBlob][]> {
  const model = formatName(stored.name);
  const layers = [...stored.manifest.layers, stored.manifest.config].filter((l) => l.digest !== "");
  const out: [Layer, LocalBlob][] = [];
  for (const layer of layers) {
    if (!(await store.blobs.has(layer.digest))) throw new MissingBlobError(model, layer.digest);
    const size = await store.blobs.size(layer.digest);
    if (size !== layer.size) throw new BlobSizeMismatchError(model, layer.digest, layer.size, size);
    out.push([layer, { digest: layer.digest, size, path: store.blobs.path(layer.digest) }]);
  }
  return out;
}

/** PUTs the manifest's stored bytes; a registry that reports another digest is logged (its copy differs). */
async function putManifest(ctx: PushContext, stored: StoredManifest): Promise<void> {
  await withRetries(ctx, "manifest", async () => {
    const res = await send(ctx, {
      method: "PUT",
      url: repoPath(ctx, `manifests/${ctx.ref.name.tag}`),
      headers: { "Content-Type": MediaType.manifest },
      body: () => stored.bytes,
      redirect: "follow",
    });
    await expectOk(res);
    await drain(res);
    const remote = res.headers.get("docker-content-digest");
    if (remote && remote !== `sha256:${stored.digest}`) {
      ctx.logger.warn("registry stored the manifest under another digest", { local: stored.digest, remote });
    }
  });
}
