/** HEAD and POST /api/blobs/:digest: check for and upload content-addressed blobs. */
import { Elysia } from "elysia";
import { InvalidInputError } from "../../errors.ts";
import type { InferenceDeps } from "../../inference/index.ts";
import { BlobNotFoundError, parseDigest } from "../../store/index.ts";

/** Blob routes. */
export function blobRoutes(deps: InferenceDeps) {
  const blobs = deps.store.blobs;
  return new Elysia({ name: "ollama-blobs" })
    .head("/api/blobs/:digest", async ({ params }) => {
      const digest = parseDigest(params.digest);
      if (!(await blobs.has(digest))) throw new BlobNotFoundError(params.digest);
      return new Response(null, { status: 200 });
    })
    .post(
      "/api/blobs/:digest",
      async ({ params, request }) => {
        const digest = parseDigest(params.digest);
        if (await blobs.has(digest)) return new Response(null, { status: 200 });
        if (!request.body) throw new InvalidInputError("missing request body");
        await blobs.writeFromStream(digest, request.body);
        return new Response(null, { status: 201 });
      },
      { parse: "none" },
    );
}
