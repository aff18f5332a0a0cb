/**
 * What a registry's manifest must be before any download starts or any path is built from it: JSON in the
 * store's Manifest shape, schema version 2, `sha256:<64 lowercase hex>` digests, no layer named twice,
 * whole non-negative sizes under a sane bound, and media types tsllm knows.
 */
import { Value } from "@sinclair/typebox/value";
import { type Layer, Manifest, MediaType } from "../../store/index.ts";
import { InvalidManifestError, UnsupportedModelError } from "./errors.ts";

/** Largest blob accepted (16 TiB): past every real model, and far inside a double's exact integers. */
export const MAX_BLOB_SIZE = 2 ** 44;

/** Manifest media types a pull accepts for the document itself (absent is tolerated, as Ollama does). */
const MANIFEST_TYPES = new Set([MediaType.manifest, "application/vnd.oci.image.manifest.v1+json"]);
const CONFIG_TYPES = new Set([MediaType.config, "application/vnd.oci.image.config.v1+json"]);
const LAYER_TYPES = new Set<string>(
  Object.values(MediaType).filter((m) => m !== MediaType.manifest && m !== MediaType.config),
);
/** Ollama's safetensors model layers (tensors and their JSON side files): no runtime for them here. */
const TENSOR_TYPES = new Set(["application/vnd.ollama.image.tensor", "application/vnd.ollama.image.json"]);

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** One blob the pull needs: layers in manifest order, then the config (Ollama's order), each digest once. */
export interface PullBlob {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

/** A validated manifest and the distinct blobs it needs. */
export interface ValidManifest {
  readonly manifest: Manifest;
  readonly blobs: readonly PullBlob[];
}

/** Parses and checks manifest bytes; InvalidManifestError / UnsupportedModelError say what is wrong. */
export function validateManifest(raw: Uint8Array): ValidManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch (err) {
    throw new InvalidManifestError(`not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!Value.Check(Manifest, parsed)) {
    const first = [...Value.Errors(Manifest, parsed)][0];
    throw new InvalidManifestError(
      `not a schema 2 manifest${first ? ` (${first.path || "/"}: ${first.message})` : ""}`,
    );
  }
  const m = parsed;
  if (m.schemaVersion !== 2) throw new InvalidManifestError(`schemaVersion ${m.schemaVersion}, expected 2`);
  if (m.mediaType !== undefined && !MANIFEST_TYPES.has(m.mediaType))
    throw new InvalidManifestError(`unknown manifest media type ${JSON.stringify(m.mediaType)}`);
  for (const l of m.layers) if (TENSOR_TYPES.has(l.mediaType)) throw new UnsupportedModelError(l.mediaType);

  const blobs: PullBlob[] = [];
  const seen = new Map<string, number>();
  m.layers.forEach((l, i) => {
    const what = `layer ${i}`;
    checkLayer(l, what);
    if (!LAYER_TYPES.has(l.mediaType))
      throw new InvalidManifestError(`${what} has unknown media type ${JSON.stringify(l.mediaType)}`);
    if (seen.has(l.digest)) throw new InvalidManifestError(`${what} names blob ${l.digest} a second time`);
    seen.set(l.digest, l.size);
    blobs.push({ digest: l.digest, size: l.size, mediaType: l.mediaType });
  });
  // Ollama tolerates a config without a digest, and a config that is also a layer (one download serves both).
  if (m.config.digest !== "") {
    checkLayer(m.config, "config");
    if (!CONFIG_TYPES.has(m.config.mediaType))
      throw new InvalidManifestError(`config has unknown media type ${JSON.stringify(m.config.mediaType)}`);
    const asLayer = seen.get(m.config.digest);
    if (asLayer === undefined) blobs.push({ ...m.config });
    else if (asLayer !== m.config.size)
      throw new InvalidManifestError(`config and a layer name blob ${m.config.digest} with different sizes`);
  }
  return { manifest: m, blobs };
}

function checkLayer(l: Layer, what: string): void {
  if (!DIGEST_RE.test(l.digest))
    throw new InvalidManifestError(
      `${what} has digest ${JSON.stringify(l.digest.slice(0, 100))}, not sha256:<64 hex>`,
    );
  if (!Number.isSafeInteger(l.size) || l.size < 0 || l.size > MAX_BLOB_SIZE)
    throw new InvalidManifestError(
      `${what} (${l.digest}) has size ${l.size}, not a whole number of bytes up to 16 TiB`,
    );
}
