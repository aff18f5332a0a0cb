/** HEAD and POST /api/blobs/:digest: check for and upload content-addressed blobs. */
import { Elysia } from "elysia";
import { InvalidInputError } from "../../errors.ts";
import type { InferenceDeps } from "../../inference/index.ts";
import { BlobNotFoundError, parseDigest } from "../../store/index.ts";

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

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
        if (!request.body) throw new InvalidInputError("missing request body");
        if (await blobs.has(digest)) {
          await request.arrayBuffer().catch(() => {}); // let a client still sending finish
          return new Response(null, { status: 200 });
        }
        // The upload is read whole: reading request.body as a stream proved unreliable under Bun 1.3
        // (reads sometimes fail inside Bun), so large uploads cost their size in memory for now.
        const bytes = new Uint8Array(await request.arrayBuffer());
        await blobs.writeFromStream(digest, once(bytes));
        return new Response(null, { status: 201 });
      },
      { parse: "none" },
    );
}
