import { ModelfileError } from "./errors.ts";

/** Value kinds of Ollama's Options fields. */
export type ParamType = "int" | "float" | "bool" | "string" | "string[]";

/** PARAMETER names and their types (api.Options + api.Runner; mirostat kept because tsllm's sampler uses it). */
export const PARAMETER_TYPES: Readonly<Record<string, ParamType>> = {
  num_ctx: "int",
  num_batch: "int",
  num_gpu: "int",
  main_gpu: "int",
  use_mmap: "bool",
  num_thread: "int",
  draft_num_predict: "int",
  /** tsllm: speculative decoding mode ("off", "ngram", "model") and the fewest drafted tokens verified. */
  draft: "string",
  draft_min: "int",
  num_keep: "int",
  seed: "int",
  num_predict: "int",
  top_k: "int",
  top_p: "float",
  min_p: "float",
  typical_p: "float",
  repeat_last_n: "int",
  temperature: "float",
  repeat_penalty: "float",
  presence_penalty: "float",
  frequency_penalty: "float",
  mirostat: "int",
  mirostat_tau: "float",
  mirostat_eta: "float",
  stop: "string[]",
  /** tsllm: RPC servers to pin the model to ("host:port,…", a subset of TSLLM_RPC_SERVERS; "none" = local). */
  rpc_servers: "string",
};

/** Names Ollama still accepts in Modelfiles but ignores with a warning. */
export const DEPRECATED_PARAMETERS: ReadonlySet<string> = new Set([
  "penalize_newline",
  "low_vram",
  "f16_kv",
  "logits_all",
  "vocab_only",
  "use_mlock",
]);

const INT_RE = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]+|[0-9][0-9_]*)$/;
const FLOAT_RE = /^[+-]?((\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?|\d[\d_]*\.|inf(inity)?|nan)$/i;
const BOOL: Record<string, boolean> = { "1": true, t: true, T: true, TRUE: true, true: true, True: true };
const FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Types one PARAMETER value like Ollama's FormatParams; unknown name or bad value → ModelfileError. */
export function parseParameter(name: string, raw: string, line = 0): number | boolean | string | string[] {
  const type = PARAMETER_TYPES[name];
  if (!type) throw new ModelfileError(`unknown parameter '${name}'`, line);
  switch (type) {
    case "int": {
      if (!INT_RE.test(raw))
        throw new ModelfileError(`invalid int value [${raw}] for parameter '${name}'`, line);
      const n = Number(raw.replaceAll("_", "").replace(/^([+-]?)0([0-7])/, "$10o$2"));
      if (!Number.isSafeInteger(n))
        throw new ModelfileError(`invalid int value [${raw}] for parameter '${name}'`, line);
      return n;
    }
    case "float": {
      if (!FLOAT_RE.test(raw))
        throw new ModelfileError(`invalid float value [${raw}] for parameter '${name}'`, line);
      const n = Number(raw.replaceAll("_", "").replace(/^([+-]?)inf(inity)?$/i, "$1Infinity"));
      if (Number.isNaN(n) && !/nan/i.test(raw))
        throw new ModelfileError(`invalid float value [${raw}] for parameter '${name}'`, line);
      return n;
    }
    case "bool":
      if (raw in BOOL) return true;
      if (FALSE.has(raw)) return false;
      throw new ModelfileError(`invalid bool value [${raw}] for parameter '${name}'`, line);
    case "string":
      return raw;
    case "string[]":
      return [raw];
  }
}
