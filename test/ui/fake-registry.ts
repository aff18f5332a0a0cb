/**
 * A minimal plain-HTTP OCI registry for the UI's pull test: one model (a GGUF and its config) under one
 * name, manifests and blobs by GET (Range ignored: the whole blob, which a pull must accept too).
 */
import { createHash } from "node:crypto";

/** A running fake registry. */
export interface FakeRegistry {
  /** `host:port` to put in front of a model name. */
  host: string;
  stop(): void;
}

const digest = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** Serves `repo:tag` (e.g. "library/mini:latest") made of the GGUF at `gguf`. */
export async function startFakeRegistry(repoTag: string, gguf: string): Promise<FakeRegistry> {
  const [repo, tag] = repoTag.split(":") as [string, string];
  const model = await Bun.file(gguf).bytes();
  const config = new TextEncoder().encode(
    JSON.stringify({
      model_format: "gguf",
      model_family: "llama",
      model_families: ["llama"],
      file_type: "F32",
    }),
  );
  const blobs = new Map([
    [digest(model), model],
    [digest(config), config],
  ]);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: {
      mediaType: "application/vnd.docker.container.image.v1+json",
      digest: digest(config),
      size: config.length,
    },
    layers: [{ mediaType: "application/vnd.ollama.image.model", digest: digest(model), size: model.length }],
  });
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/v2/" || path === "/v2") return Response.json({});
      if (path === `/v2/${repo}/manifests/${tag}`)
        return new Response(req.method === "HEAD" ? null : manifest, {
          headers: { "content-type": "application/vnd.docker.distribution.manifest.v2+json" },
        });
      const m = new RegExp(`^/v2/${repo}/blobs/(sha256:[0-9a-f]{64})$`).exec(path);
      const blob = m ? blobs.get(m[1] as string) : undefined;
      if (blob)
        return new Response(req.method === "HEAD" ? null : blob, {
          headers: { "content-type": "application/octet-stream", "content-length": String(blob.length) },
        });
      return Response.json({ errors: [{ code: "NAME_UNKNOWN", message: "not found" }] }, { status: 404 });
    },
  });
  return { host: `127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}
