/** Errors the inference layer raises itself; every one is a caller's mistake unless noted. */
import { TsllmError } from "../errors.ts";

/** The model lacks a capability the request needs: `"<model>" does not support <what>` (400). */
export class CapabilityError extends TsllmError {
  constructor(model: string, what: string) {
    super(`${JSON.stringify(model)} does not support ${what}`, { code: "capability", status: 400 });
  }
}

/**
 * A capability the scheduler checks (insert, vision): Ollama's CheckCapabilities names the model in full and
 * unquoted, `registry.ollama.ai/library/x:latest does not support insert` (400).
 */
export class ModelCapabilityError extends TsllmError {
  constructor(fullName: string, what: string) {
    super(`${fullName} does not support ${what}`, { code: "capability", status: 400 });
  }
}

/** A `format` that is neither "json" nor a JSON-schema object (400). */
export class InvalidFormatError extends TsllmError {
  constructor(format: unknown) {
    super(`invalid format: ${JSON.stringify(format)}; expected "json" or a valid JSON Schema object`, {
      code: "invalid_format",
      status: 400,
    });
  }
}

/**
 * A valid JSON schema that structured outputs cannot enforce (400): names where (a JSON pointer into the
 * schema) and which keyword, so a caller knows what to drop or rewrite.
 */
export class UnsupportedSchemaError extends TsllmError {
  /** JSON pointer of the schema holding the keyword, e.g. `#/properties/age`. */
  readonly path: string;
  /** The keyword that cannot be enforced, e.g. `not` or `pattern`. */
  readonly keyword: string;

  constructor(path: string, keyword: string, detail?: string) {
    super(`unsupported JSON schema at ${path}: ${JSON.stringify(keyword)}${detail ? ` ${detail}` : ""}`, {
      code: "invalid_format",
      status: 400,
    });
    this.path = path;
    this.keyword = keyword;
  }
}

/** A JSON schema that is malformed: a keyword with a value of the wrong kind, a broken regex, a dangling $ref (400). */
export class InvalidSchemaError extends TsllmError {
  /** JSON pointer of the offending schema. */
  readonly path: string;

  constructor(path: string, detail: string) {
    super(`invalid JSON schema at ${path}: ${detail}`, { code: "invalid_format", status: 400 });
    this.path = path;
  }
}

/** An option value of the wrong type: `option "x" must be of type integer` (400). */
export class InvalidOptionError extends TsllmError {
  constructor(name: string, type: string) {
    super(`option ${JSON.stringify(name)} must be of type ${type}`, { code: "invalid_option", status: 400 });
  }
}

/** An option value outside its range: `option "num_batch" must be between 1 and 1048576, got 0` (400). */
export class OptionRangeError extends TsllmError {
  constructor(name: string, min: number, max: number, got: number, maxIs?: string) {
    const upper = maxIs ? `${max} (${maxIs})` : String(max);
    super(`option ${JSON.stringify(name)} must be between ${min} and ${upper}, got ${got}`, {
      code: "invalid_option",
      status: 400,
    });
  }
}

/** A keep_alive that is neither a number of seconds nor a Go duration string (400). */
export class InvalidDurationError extends TsllmError {
  constructor(value: unknown) {
    super(`time: invalid duration ${JSON.stringify(String(value))}`, {
      code: "invalid_duration",
      status: 400,
    });
  }
}

/** An embedding input longer than the context with truncation turned off (400). */
export class InputTooLongError extends TsllmError {
  constructor() {
    super("the input length exceeds the context length", { code: "input_too_long", status: 400 });
  }
}

/** An embedding vector with NaN or Inf components (500: the model misbehaved). */
export class BadEmbeddingError extends TsllmError {
  constructor() {
    super("embedding contains NaN or Inf values", { code: "bad_embedding", status: 500 });
  }
}

/** A quantization that failed in its worker (status from the worker's error). */
export class QuantizeFailedError extends TsllmError {
  constructor(message: string, status = 500) {
    super(message, { code: "quantize", status });
  }
}
