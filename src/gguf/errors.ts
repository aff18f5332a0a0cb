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

/**
 * A GGUF that parses but that llama.cpp would refuse or abort on (hyper-parameters out of its limits, tensor
 * table and vocabulary disagreeing). The message names the first problem; `problems` lists them all.
 */
export class InvalidModelFileError extends GgufError {
  /** Every problem found, in check order. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : "";
    super(`${problems[0] ?? "invalid model file"}${more}`);
    this.problems = problems;
  }
}

/**
 * A model already in the store whose file is not a valid GGUF (stored before validation existed, or damaged
 * since): the server's data, not the client's mistake, so a 500 — and no runner is started for it.
 */
export class InvalidStoredModelError extends TsllmError {
  constructor(detail: string, options: { cause?: unknown } = {}) {
    super(`model file is invalid: ${detail}`, {
      code: "invalid_model_file",
      status: 500,
      cause: options.cause,
    });
  }
}
