/** Push: a local model's blobs and manifest uploaded to an OCI distribution registry, as Ollama pushes. */
export { type PushDeps, pushModel } from "./push.ts";
export { BlobSizeMismatchError, PushSourceMissingError, UploadProtocolError } from "./errors.ts";
