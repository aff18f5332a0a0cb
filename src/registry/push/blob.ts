/** Pushing one blob: skip it when present, mount it when another repository has it, else upload it. */
import { shortDigest } from "../transfer-util.ts";
import type { Progress } from "../types.ts";
import type { LocalBlob, PushContext } from "./context.ts";
import { blobExists } from "./head.ts";
import { BlobProgress } from "./progress.ts";
import { startUpload } from "./session.ts";
import { uploadBlob } from "./upload.ts";

/** Makes `blob` present in the push's repository, reporting Ollama's "pushing <digest12>" lines. */
export async function pushBlob(
  ctx: PushContext,
  blob: LocalBlob,
  mountFrom: string | undefined,
  emit: (p: Progress) => void,
): Promise<void> {
  ctx.signal?.throwIfAborted();
  const progress = new BlobProgress(blob.digest, blob.size, emit);
  if (await blobExists(ctx, blob.digest)) {
    ctx.logger.debug(`${shortDigest(blob.digest)} already in the registry`);
    progress.done();
    return;
  }
  const started = await startUpload(ctx, mountFrom ? { digest: blob.digest, from: mountFrom } : undefined);
  if (started === "mounted") {
    ctx.logger.info(`${shortDigest(blob.digest)} mounted from ${mountFrom}`);
    progress.done();
    return;
  }
  progress.set(0);
  await uploadBlob(ctx, blob, started, progress);
  progress.done();
}
