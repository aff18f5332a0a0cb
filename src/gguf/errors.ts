import { TsllmError } from "../errors.ts";

/** A file that is not a well-formed GGUF; every reader failure is one of these. */
export class GgufError extends TsllmError {
  constructor(message: string) {
    super(message, { code: "invalid_gguf", status: 400 });
  }
}

/** The file does not start with the "GGUF" magic. */
export class GgufMagicError extends GgufError {}

/** The GGUF version is one this reader cannot parse (only v2 and v3 are supported). */
export class GgufVersionError extends GgufError {}

/** The file ends before the structure it announces. */
export class GgufTruncatedError extends GgufError {}

/** A count, length, offset or size is out of range for the file. */
export class GgufBoundsError extends GgufError {}

/** A value type or tensor type id is unknown, or a key has the wrong type. */
export class GgufTypeError extends GgufError {}
