/** HEAD /api/blobs/:digest: does the store hold this blob? (POST streams outside Elysia: blob-upload.ts.) */
import { Elysia } from "elysia";
import type { InferenceDeps } from "../../inference/index.ts";
import { BlobNotFoundError, parseDigest } from "../../store/index.ts";

/** Blob routes. */
export function blobRoutes(deps: InferenceDeps) {
  const blobs = deps.store.blobs;
  return new Elysia({ name: "ollama-blobs" }).head("/api/blobs/:digest", async ({ params }) => {
    const digest = parseDigest(params.digest);
    if (!(await blobs.has(digest))) throw new BlobNotFoundError(params.digest);
    return new Response(null, { status: 200 });
  });
}
