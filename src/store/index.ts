/** The model store: names, blobs, manifests and model operations over Ollama's on-disk layout. */
export { BlobStore, type BlobWrite, type ByteSource } from "./blobs.ts";
export {
  type CreateOptions,
  type CreateSpec,
  createModel,
  type DescribedModel,
  type DescribeModel,
} from "./create.ts";
export { digestToFileName, fileNameToDigest, isDigest, parseDigest } from "./digest.ts";
export {
  BlobNotFoundError,
  CorruptManifestError,
  DigestMismatchError,
  InvalidDigestError,
  InvalidNameError,
  ModelNotFoundError,
} from "./errors.ts";
export { expandPath, specFromModelfile } from "./from-modelfile.ts";
export { ManifestStore, referencedDigests, type StoredManifest } from "./manifests.ts";
export { MediaType } from "./media.ts";
export { formatName, isValidName, type ModelName, parseName, shortName } from "./names.ts";
export { Layer, Manifest, ModelConfig } from "./schema.ts";
export { type ListedModel, type ModelDetails, ModelStore, type StoredModel } from "./store.ts";
