import { TsllmError } from "../../errors.ts";

/** A bad synthesizer option: unknown preset, quantization or vocabulary, or a missing flag. */
export class SynthOptionError extends TsllmError {
  constructor(message: string) {
    super(message, { code: "invalid_synth_option", status: 400 });
  }
}

/** The pinned llama.cpp source (vocabularies) is neither cached nor clonable from node-llama-cpp. */
export class LlamaSourceError extends TsllmError {
  constructor(message: string) {
    super(message, { code: "llama_source_missing", status: 500 });
  }
}
