/** Opening an upload session (POST …/blobs/uploads/), optionally as a cross-repository mount. */
import { type PushContext, repoPath, send } from "./context.ts";
import { drain, expectOk, uploadLocation } from "./http.ts";
import { withRetries } from "./retry.ts";

/** A blob to link from another repository of the same registry instead of uploading it. */
export interface MountFrom {
  readonly digest: string;
  /** `namespace/model` of the repository that holds it. */
  readonly from: string;
}

/**
 * POSTs a new upload session and returns where to send its first part. With `mount`, the registry may link
 * the blob instead (201: "mounted"); a registry that cannot (or may not) answers 202 with a plain session.
 */
export function startUpload(ctx: PushContext, mount?: MountFrom): Promise<URL | "mounted"> {
  const query = mount
    ? `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}`
    : "";
  const path = repoPath(ctx, `blobs/uploads/${query}`);
  return withRetries(ctx, "upload start", async () => {
    const res = await send(ctx, { method: "POST", url: path, redirect: "follow" });
    if (mount && res.status === 201) {
      await drain(res);
      return "mounted";
    }
    await expectOk(res);
    const url = uploadLocation(res, new URL(res.url || `${ctx.ref.base}${path}`), "an upload start");
    await drain(res);
    return url;
  });
}

/** A plain upload session (no mount): the URL of its first part. */
export async function openSession(ctx: PushContext): Promise<URL> {
  return (await startUpload(ctx)) as URL;
}

/** Ends a session the push gave up on, best effort and bounded in time (the caller is already leaving). */
export function abandonSession(ctx: PushContext, url: URL): void {
  send(ctx, { method: "DELETE", url: url.href, redirect: "manual", signal: AbortSignal.timeout(5_000) }).then(
    drain,
    () => {},
  );
}
