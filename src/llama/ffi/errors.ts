import { TsllmError } from "../../errors.ts";

/** A native library could not be found, extracted or opened. */
export class NativeLibraryError extends TsllmError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: "native_library", status: 500, cause });
  }
}

/** TSLLM_LLM_LIBRARY (or --variant) names a variant this build does not have. */
export class UnknownVariantError extends TsllmError {
  constructor(variant: string, available: readonly string[]) {
    super(`unknown llm library variant "${variant}" (available: ${available.join(", ") || "none"})`, {
      code: "unknown_variant",
      status: 400,
    });
  }
}

/** A libllama call failed; `what` names the call. */
export class LlamaCallError extends TsllmError {
  constructor(what: string, detail?: string) {
    super(`${what} failed${detail ? `: ${detail}` : ""}`, { code: "llama_call", status: 500 });
  }
}
