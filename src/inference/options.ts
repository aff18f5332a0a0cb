/**
 * Request options: Modelfile PARAMETERs overlaid by the request's `options`, type-checked the way Ollama's
 * FromMap does (unknown keys warned about and ignored), then split into load-time knobs and sampling.
 */
import type { Logger } from "../log.ts";
import { DEPRECATED_PARAMETERS, PARAMETER_TYPES, type ParamType } from "../modelfile/index.ts";
import type { SamplingOptions, Speculative } from "../runner/protocol.ts";
import { parseRpcPin } from "../scheduler/rpc-pin.ts";
import { InvalidOptionError } from "./errors.ts";
import { checkOptionBounds } from "./option-bounds.ts";
import { DRAFT_KEYS, speculativeOptions } from "./speculative-options.ts";

/** Load-time options a request may set; the rest of LoadOptions comes from config. */
export interface LoadKnobs {
  num_ctx?: number;
  num_batch?: number;
  num_gpu?: number;
  main_gpu?: number;
  use_mmap?: boolean;
  use_mlock?: boolean;
  num_thread?: number;
  /** RPC servers the model is pinned to (a subset of TSLLM_RPC_SERVERS; [] = this host only). */
  rpc_servers?: string[];
  /** A stored model to draft with (speculative decoding), by name; resolved to its GGUF when scheduling. */
  draft_model?: string;
}

/** Options split by where they apply. */
export interface SplitOptions {
  load: LoadKnobs;
  sampling: SamplingOptions;
  /** Speculative decoding settings, when any draft option was set. */
  speculative?: Speculative;
}

const LOAD_KEYS = new Set([
  "num_ctx",
  "num_batch",
  "num_gpu",
  "main_gpu",
  "use_mmap",
  "use_mlock",
  "num_thread",
  "rpc_servers",
  "draft_model",
]);
const TYPES: Record<string, ParamType> = { ...PARAMETER_TYPES, use_mlock: "bool", draft_model: "string" };
/** Known to Ollama but without effect here. */
const IGNORED = new Set([...DEPRECATED_PARAMETERS, "numa"]);
const TYPE_NAMES: Record<ParamType, string> = {
  int: "integer",
  float: "float32",
  bool: "boolean",
  string: "string",
  "string[]": "array",
};

function coerce(name: string, type: ParamType, v: unknown): unknown {
  switch (type) {
    case "int":
      if (typeof v === "number" && Number.isFinite(v)) return Math.trunc(v);
      break;
    case "float":
      if (typeof v === "number") return v; // range and finiteness: checkOptionBounds
      break;
    case "bool":
      if (typeof v === "boolean") return v;
      break;
    case "string":
      if (typeof v === "string") return v;
      break;
    case "string[]":
      if (typeof v === "string") return [v];
      if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
      break;
  }
  throw new InvalidOptionError(name, TYPE_NAMES[type]);
}

/**
 * Merges `params` (Modelfile) and `request` options; unknown keys are logged and dropped. A value of the
 * wrong type or outside its range (checkOptionBounds) is a 400 naming the option.
 */
export function mergeOptions(
  params: Record<string, unknown>,
  request: Record<string, unknown> | undefined,
  logger?: Logger,
): SplitOptions {
  const load: Record<string, unknown> = {};
  const sampling: Record<string, unknown> = {};
  const draft: Record<string, unknown> = {};
  for (const [k, v] of Object.entries({ ...params, ...(request ?? {}) })) {
    if (v === null || v === undefined) continue;
    const type = TYPES[k];
    if (!type || IGNORED.has(k)) {
      logger?.warn(IGNORED.has(k) ? "option is ignored" : "invalid option provided", { option: k });
      continue;
    }
    (LOAD_KEYS.has(k) ? load : DRAFT_KEYS.has(k) ? draft : sampling)[k] = coerce(k, type, v);
  }
  const all = { ...load, ...sampling, ...draft };
  checkOptionBounds(all, new Set(Object.keys(request ?? {})));
  if (all.num_thread !== undefined) load.num_thread = all.num_thread;
  if (typeof load.rpc_servers === "string") load.rpc_servers = parseRpcPin(load.rpc_servers);
  const speculative = speculativeOptions(draft);
  return {
    load: load as LoadKnobs,
    sampling: sampling as SamplingOptions,
    ...(speculative ? { speculative } : {}),
  };
}
