import { TsllmError } from "../errors.ts";

/** Ollama's words for a runner that died (llm/llama_server.go), which clients and users know. */
export const RUNNER_STOPPED =
  "model runner has unexpectedly stopped, this may be due to resource limitations or an internal error";

/**
 * The runner process ended while it was needed: carries its exit code or signal and its stderr tail. The
 * message (which clients see) names how it ended and the telling native line, without directories.
 */
export class RunnerExitedError extends TsllmError {
  readonly signal: string | null;
  readonly exitCode: number | null;
  readonly stderrTail: string;

  constructor(exitCode: number | null, signal: string | null, stderrTail: string) {
    const how = signal ? `signal ${signal}` : `exit code ${exitCode}`;
    const cause = withoutDirectories(lastNativeError(stderrTail));
    super(`${RUNNER_STOPPED}, check the tsllm server logs for details (${how})${cause ? `: ${cause}` : ""}`, {
      code: "runner_exited",
      status: 500,
    });
    this.signal = signal;
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }
}

/** The model failed to load in the runner (bad file, out of memory…). */
export class RunnerLoadError extends TsllmError {
  constructor(message: string) {
    super(message, { code: "model_load", status: 500 });
  }
}

/** Loading made no progress for the configured time (TSLLM_LOAD_TIMEOUT). */
export class RunnerLoadTimeoutError extends TsllmError {
  constructor(timeoutMs: number, progress: number, lastError?: string) {
    super(
      `timed out waiting for the model to load: no progress for ${Math.round(timeoutMs / 1000)}s at ${(progress * 100).toFixed(0)}%${lastError ? ` (last error: ${lastError})` : ""}`,
      { code: "load_timeout", status: 500 },
    );
  }
}

/** The most telling line of a runner's stderr (GGML_ASSERT, error, panic), for one-line messages. */
export function lastNativeError(tail: string): string {
  const lines = tail
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return (
    [...lines].reverse().find((l) => /GGML_ASSERT|error|abort|fatal|panic|out of memory|failed/i.test(l)) ??
    ""
  );
}

/** `line` with every absolute path cut to its file name (a native assert names its source file in full). */
export const withoutDirectories = (line: string): string => line.replace(/(?<![\w.])\/(?:[^\s/:]+\/)+/g, "");
