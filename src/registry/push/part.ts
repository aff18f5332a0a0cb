/** One part of a chunked upload: a PATCH with Content-Range, and the redirects an upload may be answered with. */
import { shortDigest } from "../transfer-util.ts";
import { RedirectRefusedError, RegistryResponseError } from "../errors.ts";
import { fileRange, partHash } from "./body.ts";
import { type LocalBlob, type PushContext, send } from "./context.ts";
import { drain, expectOk, OCTETS, REDIRECTS, uploadLocation } from "./http.ts";
import type { BlobProgress } from "./progress.ts";
import { withRetries } from "./retry.ts";

/** Redirect hops followed for one part. */
const MAX_HOPS = 10;

/**
 * PATCHes one part. A 307/308 is followed with the same request; when it also names a
 * Docker-Upload-Location (Ollama's registry), the part goes by PUT to the redirect target (its storage) and
 * the upload continues at that location.
 */
export async function sendPart(
  ctx: PushContext,
  blob: LocalBlob,
  url: URL,
  start: number,
  end: number,
  progress: BlobProgress,
): Promise<{ next: URL; md5?: Uint8Array }> {
  const headers = {
    "Content-Type": OCTETS,
    "Content-Length": String(end - start),
    "Content-Range": `${start}-${end - 1}`,
    "X-Redirect-Uploads": "1",
  };
  const body = () => fileRange(blob.path, start, end, (n) => progress.set(start + n));
  let target = url;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const res = await send(ctx, { method: "PATCH", url: target.href, headers, body, redirect: "manual" });
    if (!REDIRECTS.has(res.status)) {
      await expectOk(res);
      const next = uploadLocation(res, target, "a PATCH");
      await drain(res);
      return { next };
    }
    const location = res.headers.get("location");
    const registryNext = res.headers.get("docker-upload-location");
    await drain(res);
    if (!location) throw new RegistryResponseError(res.status, "redirect without a Location");
    const to = new URL(location, target);
    if (registryNext) {
      const md5 = await putToStorage(ctx, blob, to, start, end, progress);
      return { next: new URL(registryNext, target), md5 };
    }
    target = to;
  }
  throw new RedirectRefusedError(url.href, target.href, `stopped after ${MAX_HOPS} redirects`);
}

/** Sends one part by PUT to where the registry redirected it; returns the part's md5 for the commit etag. */
async function putToStorage(
  ctx: PushContext,
  blob: LocalBlob,
  to: URL,
  start: number,
  end: number,
  progress: BlobProgress,
): Promise<Uint8Array> {
  return withRetries(ctx, `${shortDigest(blob.digest)} part at ${start}`, async () => {
    let md5 = partHash();
    const body = () => {
      md5 = partHash();
      return fileRange(blob.path, start, end, (n) => progress.set(start + n), md5);
    };
    const headers = { "Content-Type": OCTETS, "Content-Length": String(end - start) };
    const res = await send(ctx, { method: "PUT", url: to.href, headers, body, redirect: "follow" });
    await expectOk(res);
    await drain(res);
    return new Uint8Array(md5.digest());
  });
}
