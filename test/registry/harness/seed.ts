/** Puts blobs and a manifest straight into a test registry over plain HTTP (no tsllm code involved). */
import { MediaType } from "../../../src/store/index.ts";

/** A layer to seed: its media type and bytes. */
export interface SeedLayer {
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

/** What was seeded: the manifest's raw bytes and digest, and each layer's digest. */
export interface Seeded {
  readonly manifest: string;
  readonly manifestDigest: string;
  readonly config: string;
  readonly layers: readonly { mediaType: string; digest: string; size: number }[];
}

/** `sha256:<hex>` of bytes. */
export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;
}

/** Uploads one blob monolithically (POST, then PUT ?digest=), with optional request headers (auth). */
export async function seedBlob(
  base: string,
  repo: string,
  bytes: Uint8Array,
  headers: Record<string, string> = {},
): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: "POST", headers });
  if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
  const loc = new URL(start.headers.get("location") as string, base);
  loc.searchParams.set("digest", digest);
  const put = await fetch(loc, {
    method: "PUT",
    body: bytes,
    headers: { ...headers, "content-type": "application/octet-stream" },
  });
  if (put.status !== 201) throw new Error(`upload ${digest}: ${put.status} ${await put.text()}`);
  return digest;
}

/** Seeds `repo:tag` with the layers and a config blob, as Ollama's registry serves a model. */
export async function seedModel(
  base: string,
  repo: string,
  tag: string,
  layers: readonly SeedLayer[],
  headers: Record<string, string> = {},
): Promise<Seeded> {
  const configBytes = new TextEncoder().encode(
    JSON.stringify({ model_format: "gguf", model_family: "llama", file_type: "F16" }),
  );
  const config = await seedBlob(base, repo, configBytes, headers);
  const described = [];
  for (const l of layers) {
    described.push({
      mediaType: l.mediaType,
      digest: await seedBlob(base, repo, l.bytes, headers),
      size: l.bytes.length,
    });
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.manifest,
    config: { mediaType: MediaType.config, digest: config, size: configBytes.length },
    layers: described,
  });
  const put = await fetch(`${base}/v2/${repo}/manifests/${tag}`, {
    method: "PUT",
    body: manifest,
    headers: { ...headers, "content-type": MediaType.manifest },
  });
  if (put.status !== 201) throw new Error(`manifest: ${put.status} ${await put.text()}`);
  return { manifest, manifestDigest: sha256(manifest), config, layers: described };
}
