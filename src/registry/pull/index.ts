/** Pulling models from a registry: manifest, resumable verified blob downloads, manifest write, prune. */
export {
  BlobDigestMismatchError,
  BlobNotFoundInRegistryError,
  BlobSizeMismatchError,
  InvalidManifestError,
  MaxRetriesError,
  PullManifestError,
  UnsupportedModelError,
} from "./errors.ts";
export { MAX_MANIFEST_BYTES } from "./manifest.ts";
export { DEFAULT_PART_SIZES, type PartSizes } from "./plan.ts";
export { proxyConfigured } from "./proxy.ts";
export { type PullDeps, pullModel } from "./pull.ts";
export { MAX_BLOB_SIZE, validateManifest } from "./validate.ts";
