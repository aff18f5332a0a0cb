/**
 * What the runner checks itself before a request reaches libllama, whatever serve checked (defence in depth):
 * token ids within the vocabulary, logit biases on real tokens, sampling numbers that keep float32 logits
 * finite, and history lengths that fit the context. A bad request is answered with its own 400 over the
 * protocol; the runner and every other stream on it go on.
 */
import { TsllmError } from "../../errors.ts";
import { TokenOutOfRangeError } from "../../llama/engine/errors.ts";
import type { GenerateRequest } from "../../llama/engine/batching/types.ts";
import type { ImageInput } from "../protocol.ts";

/** What a request is checked against: the loaded model's vocabulary and context sizes. */
export interface RunnerLimits {
  nVocab: number;
  nCtx: number;
}

/** A generate request as the engine thread receives it (the prompt may still be text). */
export type GenerateInput = Omit<GenerateRequest, "prompt" | "images"> & {
  prompt: string | number[];
  /** Images for the markers of a text prompt (see images.ts). */
  images?: ImageInput[];
};

const INT32_MAX = 2 ** 31 - 1;
const FLOAT32_MAX = 3.4028234663852886e38;
/**
 * The smallest temperature and repeat penalty passed on: logits divided by less overflow float32, and a
 * softmax over infinities is NaN, on which llama_sampler_sample's GGML_ASSERT fires.
 */
const MIN_DIVISOR = 1e-4;
const INT_OPTIONS = ["top_k", "repeat_last_n", "mirostat"] as const;
const FLOAT_OPTIONS = [
  "temperature",
  "top_p",
  "min_p",
  "typical_p",
  "repeat_penalty",
  "presence_penalty",
  "frequency_penalty",
  "mirostat_tau",
  "mirostat_eta",
] as const;

/** A request the runner refuses (400). */
export class RunnerRequestError extends TsllmError {
  constructor(message: string, code = "bad_request") {
    super(message, { code, status: 400 });
  }
}

/** Throws TokenOutOfRangeError (400) for the first id outside [0, nVocab). */
export function checkIds(ids: ArrayLike<number>, nVocab: number): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (!(Number.isInteger(id) && id >= 0 && id < nVocab)) throw new TokenOutOfRangeError(id, nVocab);
  }
}

/** The request checked, with the history settings bounded by the context; throws a 400 otherwise. */
export function checkGenerate(req: GenerateInput, lim: RunnerLimits): GenerateInput {
  if (typeof req.prompt !== "string") checkIds(req.prompt, lim.nVocab);
  const s = { ...req.sampling };
  for (const k of INT_OPTIONS) {
    const v = s[k];
    if (v !== undefined && !(Number.isInteger(v) && Math.abs(v) <= INT32_MAX))
      throw new RunnerRequestError(`option ${JSON.stringify(k)} must be a 32-bit integer`, "invalid_option");
  }
  for (const k of FLOAT_OPTIONS) {
    const v = s[k];
    if (v !== undefined && !(Math.abs(v) <= FLOAT32_MAX))
      throw new RunnerRequestError(`option ${JSON.stringify(k)} must be a finite number`, "invalid_option");
  }
  if (s.seed !== undefined && !Number.isSafeInteger(s.seed))
    throw new RunnerRequestError('option "seed" must be an integer', "invalid_option");
  // The penalty sampler allocates a ring buffer of repeat_last_n tokens: past the context it only costs memory.
  if (s.repeat_last_n !== undefined)
    s.repeat_last_n = s.repeat_last_n < 0 ? lim.nCtx : Math.min(s.repeat_last_n, lim.nCtx);
  if (s.temperature !== undefined && s.temperature > 0) s.temperature = Math.max(MIN_DIVISOR, s.temperature);
  if (s.repeat_penalty !== undefined) s.repeat_penalty = Math.max(MIN_DIVISOR, s.repeat_penalty);
  if (s.logitBias) {
    for (const [k, v] of Object.entries(s.logitBias)) {
      const id = Number(k);
      if (!(Number.isInteger(id) && id >= 0 && id < lim.nVocab))
        throw new TokenOutOfRangeError(id, lim.nVocab);
      if (!(Math.abs(v) <= FLOAT32_MAX) && v !== Number.NEGATIVE_INFINITY)
        throw new RunnerRequestError(`logit bias of token ${k} must be a finite number`, "invalid_option");
    }
  }
  if (!Number.isSafeInteger(req.numPredict) || !Number.isSafeInteger(req.numKeep))
    throw new RunnerRequestError("num_predict and num_keep must be integers", "invalid_option");
  return { ...req, sampling: s };
}
