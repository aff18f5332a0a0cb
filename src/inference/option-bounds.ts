/**
 * The numeric range of every Ollama option, checked before a request is scheduled: a value outside it is a
 * 400 naming the option and the range, never a runner abort (n_batch 0 or 1 trips llama.cpp's GGML_ASSERTs,
 * a huge num_thread starts that many spinning threads, a huge repeat_last_n allocates a ring buffer of that
 * many tokens, non-finite or float32-overflowing floats turn logits into NaN and trip the sampler's assert).
 */
import { availableParallelism } from "node:os";
import { OptionRangeError } from "./errors.ts";

/**
 * The largest num_ctx (and num_batch, num_keep, repeat_last_n) a request may ask for: 2^20 tokens, past
 * every model's trained context; the scheduler then caps num_ctx at the model's own trained length, as
 * Ollama does (llm/server.go NewLlamaServer), so this bound only keeps absurd values away from the planner.
 */
export const MAX_CONTEXT = 1 << 20;
const INT32_MAX = 2 ** 31 - 1;
/**
 * Sampling floats stay within ±1000: far past any useful setting, and small enough that a penalty times a
 * token count, or a logit divided by a temperature, stays finite in float32.
 */
const FLOAT_LIMIT = 1000;

/** [min, max] inclusive, and what the maximum is when it is not a plain number. */
interface Range {
  min: number;
  max: number;
  why?: string;
}

function ranges(cores: number): Record<string, Range> {
  return {
    num_ctx: { min: 1, max: MAX_CONTEXT },
    // llama.cpp asserts on n_batch 0 and needs n_batch ≥ the slot count; the runner raises a batch smaller than
    // its slots to the slot count, and the scheduler lowers one larger than num_ctx to num_ctx (as Ollama does).
    num_batch: { min: 1, max: MAX_CONTEXT },
    // 0 = one thread per core. More threads than cores only spin against each other.
    num_thread: { min: 0, max: cores, why: "the machine's logical cores" },
    num_gpu: { min: -1, max: INT32_MAX },
    main_gpu: { min: 0, max: INT32_MAX },
    num_predict: { min: -2, max: INT32_MAX },
    num_keep: { min: -1, max: MAX_CONTEXT },
    repeat_last_n: { min: -1, max: MAX_CONTEXT },
    top_k: { min: 0, max: INT32_MAX },
    mirostat: { min: 0, max: 2 },
    seed: { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
    temperature: { min: 0, max: FLOAT_LIMIT },
    top_p: { min: 0, max: 1 },
    min_p: { min: 0, max: 1 },
    typical_p: { min: 0, max: 1 },
    repeat_penalty: { min: 0, max: FLOAT_LIMIT },
    presence_penalty: { min: -FLOAT_LIMIT, max: FLOAT_LIMIT },
    frequency_penalty: { min: -FLOAT_LIMIT, max: FLOAT_LIMIT },
    mirostat_tau: { min: 0, max: FLOAT_LIMIT },
    mirostat_eta: { min: 0, max: FLOAT_LIMIT },
    // The runner's batch must hold every slot's drafts beside the other slots' tokens.
    draft_num_predict: { min: 0, max: 64 },
    draft_min: { min: 0, max: 64 },
  };
}

/** Logical cores this process may use. */
export const logicalCores = (): number => Math.max(1, availableParallelism());

/**
 * Checks merged options (Modelfile parameters under request options) in place. `fromRequest` names the keys
 * the request itself set: a Modelfile's num_thread above this machine's cores (a model made on a bigger
 * machine) is lowered to the cores instead of refused. num_keep must also fit in the num_ctx asked for.
 */
export function checkOptionBounds(
  opts: Record<string, unknown>,
  fromRequest: ReadonlySet<string>,
  cores = logicalCores(),
): void {
  const table = ranges(cores);
  for (const [name, v] of Object.entries(opts)) {
    const r = table[name];
    if (!r || typeof v !== "number") continue;
    if (name === "num_thread" && v > cores && !fromRequest.has(name)) {
      opts[name] = cores;
      continue;
    }
    if (!(v >= r.min && v <= r.max)) throw new OptionRangeError(name, r.min, r.max, v, r.why);
  }
  const keep = opts.num_keep;
  const ctx = opts.num_ctx;
  if (typeof keep === "number" && typeof ctx === "number" && keep > ctx)
    throw new OptionRangeError("num_keep", -1, ctx, keep, "num_ctx");
}
