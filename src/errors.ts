/** Base of every error tsllm raises on purpose: a stable `code` and the HTTP `status` it maps to. */
export class TsllmError extends Error {
  /** Machine-readable kind, e.g. "model_not_found". */
  readonly code: string;
  /** HTTP status the API edge answers with. */
  readonly status: number;
  /**
   * True when the failure is tsllm's own (logged as an error). False for a 5xx that reports something else's
   * failure, such as a registry that cannot be reached (Ollama answers those 500): logged as a warning.
   */
  readonly fault: boolean;

  constructor(message: string, opts: { code: string; status?: number; cause?: unknown; fault?: boolean }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code;
    this.status = opts.status ?? 500;
    this.fault = opts.fault ?? this.status >= 500;
  }
}

/** A caller's mistake: bad flag, bad field, bad value. */
export class InvalidInputError extends TsllmError {
  constructor(message: string) {
    super(message, { code: "invalid_input", status: 400 });
  }
}
