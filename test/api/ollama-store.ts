/**
 * Models written into a models directory the way Ollama writes them (no tsllm code involved): blobs as
 * `blobs/sha256-<hex>`, JSON layers and the manifest through Go's json.Encoder (HTML characters escaped,
 * a trailing newline), manifest fields in Go's struct order, `from` only where set.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MediaType } from "../../src/store/index.ts";

/** One layer: its media type and bytes (`from`: the model it came from, as Ollama records it). */
export interface OllamaLayer {
  readonly mediaType: string;
  readonly bytes: Uint8Array;
  readonly from?: string;
}

/** What was written: the manifest's exact bytes, its digest (the model id) and each layer's digest. */
export interface WrittenModel {
  readonly manifest: string;
  readonly digest: string;
  readonly config: string;
  readonly layers: readonly { mediaType: string; digest: string; size: number }[];
}

const enc = new TextEncoder();

/** `sha256:<hex>` of bytes. */
export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;
}

/** Go's json.Encoder output: `<`, `>`, `&` escaped, a trailing newline. */
export function goJson(value: unknown): string {
  const text = JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026");
  return `${text}\n`;
}

/** A text layer (template, system, license, legacy prompt). */
export const text = (mediaType: string, s: string): OllamaLayer => ({ mediaType, bytes: enc.encode(s) });

/** A JSON layer (params, messages), encoded as Ollama's create encodes it. */
export const json = (mediaType: string, v: unknown): OllamaLayer => ({
  mediaType,
  bytes: enc.encode(goJson(v)),
});

/** A file layer (model, projector, adapter) from a file on disk. */
export const file = (mediaType: string, path: string): OllamaLayer => ({
  mediaType,
  bytes: new Uint8Array(readFileSync(path)),
});

function putBlob(models: string, bytes: Uint8Array): string {
  const digest = sha256(bytes);
  mkdirSync(join(models, "blobs"), { recursive: true });
  writeFileSync(join(models, "blobs", digest.replace(":", "-")), bytes);
  return digest;
}

/** Writes `layers` and a config blob under `models`, then the manifest at `host/namespace/model/tag`. */
export function writeOllamaModel(
  models: string,
  name: { host: string; namespace: string; model: string; tag: string },
  layers: readonly OllamaLayer[],
): WrittenModel {
  const configBytes = enc.encode(
    goJson({
      model_format: "gguf",
      model_family: "llama",
      model_families: ["llama"],
      model_type: "1M",
      file_type: "F32",
      architecture: "amd64",
      os: "linux",
    }),
  );
  const config = putBlob(models, configBytes);
  const described = layers.map((l) => ({
    mediaType: l.mediaType,
    digest: putBlob(models, l.bytes),
    size: l.bytes.length,
    ...(l.from ? { from: l.from } : {}),
  }));
  const manifest = goJson({
    schemaVersion: 2,
    mediaType: MediaType.manifest,
    config: { mediaType: MediaType.config, digest: config, size: configBytes.length },
    layers: described,
  });
  const dir = join(models, "manifests", name.host, name.namespace, name.model);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name.tag), manifest);
  return { manifest, digest: sha256(manifest), config, layers: described };
}
