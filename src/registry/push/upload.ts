/**
 * One blob's chunked upload (distribution's PATCH protocol): parts read from the blob file and sent with
 * `Content-Range: <start>-<end>`, each to the Location the previous answer named, then `PUT ?digest=` to
 * commit. A failed part resumes where the registry says it stands, or restarts the session when the registry
 * has lost it (distribution cancels a session whose offset disagrees with its upload state).
 */
import { shortDigest, sleep } from "../transfer-util.ts";
import { RegistryResponseError } from "../errors.ts";
import { multipartEtag } from "./body.ts";
import { type LocalBlob, type PushContext, send } from "./context.ts";
import { blobExists } from "./head.ts";
import { drain, expectOk, OCTETS, rangeOffset, uploadLocation, withQuery } from "./http.ts";
import { sendPart } from "./part.ts";
import type { BlobProgress } from "./progress.ts";
import { backoffMs, isRetryable, MAX_ATTEMPTS, messageOf, retryableStatus, withRetries } from "./retry.ts";
import { abandonSession, openSession } from "./session.ts";

const MB = 1000 * 1000;
/** Ollama's part sizes: a sixteenth of the blob, clamped to 100 MB … 1000 MB. */
const PARTS = 16;
const MIN_PART = 100 * MB;
const MAX_PART = 1000 * MB;

/** Bytes per PATCH: `override` when given, else Ollama's rule. */
export function partSize(total: number, override?: number): number {
  if (override !== undefined && override > 0) return Math.floor(override);
  return Math.min(MAX_PART, Math.max(MIN_PART, Math.floor(total / PARTS)));
}

type Recovery = "resume" | "restart";

/** Uploads `blob` into the session at `start` and commits it; progress follows the bytes sent. */
export async function uploadBlob(
  ctx: PushContext,
  blob: LocalBlob,
  start: URL,
  progress: BlobProgress,
): Promise<void> {
  const part = partSize(blob.size, ctx.partSize);
  ctx.logger.info(`uploading ${shortDigest(blob.digest)} in ${Math.ceil(blob.size / part)} part(s)`);
  let url = start;
  let offset = 0;
  let failures = 0;
  let recovery: Recovery | undefined;
  // md5 of each part sent by PUT to the storage a registry redirected to, by the part's start offset.
  const storedParts = new Map<number, Uint8Array>();
  try {
    for (;;) {
      try {
        ctx.signal?.throwIfAborted();
        if (recovery) {
          ({ url, offset } = recovery === "resume" ? await resume(ctx, blob, url) : await restart(ctx));
          if (offset === 0) storedParts.clear();
          recovery = undefined;
          progress.set(offset);
        }
        if (offset >= blob.size) break;
        const end = Math.min(offset + part, blob.size);
        const sent = await sendPart(ctx, blob, url, offset, end, progress);
        if (sent.md5) storedParts.set(offset, sent.md5);
        url = sent.next;
        offset = end;
        failures = 0;
      } catch (err) {
        const kind = recoveryFor(err, failures);
        if (ctx.signal?.aborted || !kind || ++failures >= MAX_ATTEMPTS) throw err;
        const delay = backoffMs(failures - 1, ctx.backoffMs);
        const what = `${shortDigest(blob.digest)} part at ${offset} attempt ${failures - 1}`;
        ctx.logger.info(`${what} failed, retrying`, { error: messageOf(err), delayMs: delay });
        await sleep(delay, ctx.signal);
        recovery = recovery === "restart" || kind === "restart" ? "restart" : "resume";
      }
    }
    await commit(ctx, blob, url, etagOf(storedParts, blob.size, part));
  } catch (err) {
    // Cancelled or failed for good: tell the registry to drop what it holds of this upload.
    abandonSession(ctx, url);
    throw err;
  }
}

/** Transient failures resume; after one, a registry that no longer knows the session means a restart. */
function recoveryFor(err: unknown, failures: number): Recovery | undefined {
  if (isRetryable(err)) return "resume";
  if (failures > 0 && err instanceof RegistryResponseError && lostSession(err)) return "restart";
  return undefined;
}

/** 416 (offset refused), 404 or distribution's BLOB_UPLOAD_INVALID / BLOB_UPLOAD_UNKNOWN. */
function lostSession(err: RegistryResponseError): boolean {
  if (err.registryStatus === 416 || err.registryStatus === 404) return true;
  return err.errors.some((e) => e.code === "BLOB_UPLOAD_INVALID" || e.code === "BLOB_UPLOAD_UNKNOWN");
}

/** Asks the session where it stands (GET → 204 `Range: 0-<last>`); a session the registry lost restarts. */
async function resume(ctx: PushContext, blob: LocalBlob, url: URL): Promise<{ url: URL; offset: number }> {
  const res = await send(ctx, { method: "GET", url: url.href, redirect: "manual" });
  const offset = res.ok ? rangeOffset(res.headers.get("range")) : undefined;
  if (offset !== undefined && offset <= blob.size) {
    const next = res.headers.has("location") ? uploadLocation(res, url, "an upload status") : url;
    await drain(res);
    return { url: next, offset };
  }
  if (retryableStatus(res.status)) throw await RegistryResponseError.from(res);
  await drain(res);
  ctx.logger.info(`${shortDigest(blob.digest)} upload session lost (${res.status}), restarting`);
  return restart(ctx);
}

async function restart(ctx: PushContext): Promise<{ url: URL; offset: number }> {
  return { url: await openSession(ctx), offset: 0 };
}

/** The commit etag when every part went to storage by PUT, else undefined (a plain registry needs none). */
function etagOf(parts: Map<number, Uint8Array>, total: number, part: number): string | undefined {
  if (parts.size === 0) return undefined;
  const inOrder: Uint8Array[] = [];
  for (let at = 0; at < total; at += part) {
    const md5 = parts.get(at);
    if (!md5) return undefined;
    inOrder.push(md5);
  }
  return multipartEtag(inOrder);
}

/** `PUT <location>?digest=` (and Ollama's etag); a commit whose answer was lost is confirmed by HEAD. */
async function commit(ctx: PushContext, blob: LocalBlob, url: URL, etag?: string): Promise<void> {
  const target = withQuery(url, etag ? { digest: blob.digest, etag } : { digest: blob.digest });
  const headers = { "Content-Type": OCTETS, "Content-Length": "0" };
  let failedOnce = false;
  await withRetries(ctx, `${shortDigest(blob.digest)} commit`, async () => {
    try {
      const res = await send(ctx, {
        method: "PUT",
        url: target.href,
        headers,
        body: () => new Uint8Array(0),
        redirect: "follow",
      });
      await expectOk(res);
      await drain(res);
    } catch (err) {
      if (failedOnce && !isRetryable(err) && (await blobExists(ctx, blob.digest))) return;
      failedOnce = true;
      throw err;
    }
  });
}
