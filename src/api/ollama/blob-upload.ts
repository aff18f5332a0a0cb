/**
 * POST /api/blobs/:digest, served before Elysia so the body streams to disk (hashed on the way) instead of
 * being buffered: model blobs are gigabytes. Elysia keeps HEAD /api/blobs/:digest.
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
    if (await deps.store.blobs.has(digest)) {
      await drain(req.body);
      return new Response(null, { status: 200 });
    }
    await deps.store.blobs.writeFromStream(digest, req.body);
    return new Response(null, { status: 201 });
  } catch (e) {
    return errorResponse(e, undefined, logger);
  }
}

/**
 * Reads a body to its end and discards it: a client still sending must get to the end and read our answer
 * (cancelling can leave it hanging). No releaseLock: Bun 1.3 throws from it on a finished request body.
 */
async function drain(body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  while (!(await reader.read()).done) {}
}
