/** The model store: names, blobs, manifests and model operations over Ollama's on-disk layout. */
export {
  BlobStore,
  type BlobStoreOptions,
  type BlobWrite,
  type ByteSource,
  type StreamWriteOptions,
} from "./blobs.ts";
export {
  type CreateOptions,
  type CreateSpec,
  createModel,
  type DescribedModel,
  type DescribeModel,
} from "./create.ts";
export { digestOf, digestToFileName, fileNameToDigest, isDigest, parseDigest } from "./digest.ts";
export {
  BlobNotFoundError,
  CorruptManifestError,
  DigestMismatchError,
  DiskFullError,
  InvalidDigestError,
  InvalidNameError,
  MissingBlobError,
  ModelNotFoundError,
  StorageError,
  StoreClosedError,
  UploadStalledError,
} from "./errors.ts";
export { readChunks } from "./chunks.ts";
export { expandPath, specFromModelfile } from "./from-modelfile.ts";
export { isDiskFull, storageError, storageOp } from "./fs-errors.ts";
export { ManifestStore, referencedDigests, type StoredManifest } from "./manifests.ts";
export { MediaType } from "./media.ts";
export { formatName, isValidName, type ModelName, parseName, shortName } from "./names.ts";
export { PARTIAL_TTL_MS, PartialBlob, type PartialPart, type PartialState } from "./partial.ts";
export { Layer, Manifest, ModelConfig } from "./schema.ts";
export { type ListedModel, type ModelDetails, ModelStore, type StoredModel } from "./store.ts";
export { type CleanupOptions, type CleanupReport, cleanStore, noPrune, PRUNE_GRACE_MS } from "./startup.ts";
export { type BlobVerifier, startBlobVerifier, type VerifyReport, verifyBlobs } from "./verify.ts";
