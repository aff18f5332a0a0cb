import { TsllmError } from "../errors.ts";

/** A Modelfile that does not parse or names an unknown/mistyped parameter; message as Ollama's `(line N): …`. */
export class ModelfileError extends TsllmError {
  /** 1-based line, or 0 when the problem has no single line. */
  readonly line: number;

  constructor(message: string, line = 0) {
    super(line > 0 ? `(line ${line}): ${message}` : message, { code: "invalid_modelfile", status: 400 });
    this.line = line;
  }
}
