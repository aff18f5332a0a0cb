/**
 * POST /api/blobs/:digest, served before Elysia so the body streams to disk (hashed on the way) instead of
 * being buffered: model blobs are gigabytes. Elysia keeps HEAD /api/blobs/:digest. The store enforces the
 * stall timeout (408), a full disk (507) and shutdown (503); nothing partial is ever kept.
 */
import type { Logger } from "../../log.ts";
import { InvalidInputError } from "../../errors.ts";
import type { InferenceDeps } from "../../inference/index.ts";
import { parseDigest } from "../../store/index.ts";
import { errorResponse } from "../errors.ts";

const PATH = /^\/api\/blobs\/([^/]+)$/;

/** The digest when `req` is a blob upload, else null. */
export function blobUploadTarget(req: Request): string | null {
  if (req.method !== "POST") return null;
  const m = PATH.exec(new URL(req.url).pathname);
  return m ? decodeURIComponent(m[1] as string) : null;
}

/** Streams the request body into the blob store, verifying the sha256 digest. 201 new, 200 existing. */
export async function uploadBlob(
  deps: InferenceDeps,
  raw: string,
  req: Request,
  logger?: Logger,
): Promise<Response> {
  try {
    const digest = parseDigest(raw);
    if (!req.body) throw new InvalidInputError("missing request body");
    const w = await deps.store.blobs.writeFromStream(digest, req.body, { size: declaredLength(req) });
    return new Response(null, { status: w.created ? 201 : 200 });
  } catch (e) {
    const res = errorResponse(e, undefined, logger);
    if (res.status === 507 || res.status === 408)
      logger?.warn("blob upload failed", { digest: raw, status: res.status, error: (e as Error).message });
    // The body may not have been read to its end: closing the connection stops the sender instead of
    // leaving it blocked on a socket nobody reads.
    res.headers.set("connection", "close");
    return res;
  }
}

/** The Content-Length the client declared, when it is a plain non-negative integer. */
function declaredLength(req: Request): number | undefined {
  const v = req.headers.get("content-length");
  return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
}
