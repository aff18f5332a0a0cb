/** Errors of a push that are not a registry's answer (those are RegistryResponseError, from ../errors.ts). */
import { TsllmError } from "../../errors.ts";
import { formatName, type ModelName } from "../../store/index.ts";

/**
 * The model to push has no manifest in the store. Ollama answers with the open(2) failure of the manifest
 * file and status 500; the path here is relative to the models directory, so the store's location stays private.
 */
export class PushSourceMissingError extends TsllmError {
  /** The name that was looked up. */
  readonly model: string;

  constructor(name: ModelName) {
    const file = `manifests/${name.host}/${name.namespace}/${name.model}/${name.tag}`;
    super(`open ${file}: no such file or directory`, { code: "model_not_found", fault: false, status: 500 });
    this.model = formatName(name);
  }
}

/** A blob file whose size disagrees with the manifest: uploading it would publish a broken model. */
export class BlobSizeMismatchError extends TsllmError {
  constructor(model: string, digest: string, expected: number, actual: number) {
    super(
      `model ${JSON.stringify(model)}: blob ${digest} is ${actual} bytes but its manifest says ${expected}; create or pull it again`,
      { code: "blob_size_mismatch", fault: false, status: 500 },
    );
  }
}

/** An upload answer that lacks what the protocol requires next (a Location to continue at). */
export class UploadProtocolError extends TsllmError {
  constructor(what: string, status: number) {
    super(`registry answered ${status} to ${what} without an upload location`, {
      code: "registry_protocol",
      fault: false,
      status: 500,
    });
  }
}
