/** A per-slot llama_sampler chain built from Ollama's sampling options. */
import { addressOf, cstr, cstrArray, type Ptr } from "../ffi/memory.ts";
import { native } from "../ffi/native.ts";
import { LogitBias, StructView } from "../ffi/structs.ts";
import type { Context } from "./context.ts";
import { DisposedError } from "./errors.ts";
import { InvalidGrammarError } from "./grammar-errors.ts";
import type { Vocab } from "./vocab.ts";

/** Sampling settings (Ollama names); undefined fields take Ollama's defaults. */
export interface SamplerOptions {
  temperature?: number;
  top_k?: number;
  top_p?: number;
  min_p?: number;
  typical_p?: number;
  repeat_last_n?: number;
  repeat_penalty?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  mirostat?: number;
  mirostat_tau?: number;
  mirostat_eta?: number;
  /** Negative or undefined = random. */
  seed?: number;
  /** GBNF grammar the output must match (root rule "root"). */
  grammar?: string;
  /** Makes `grammar` lazy: it applies from the first trigger on (see GrammarTriggers in the runner protocol). */
  grammarTriggers?: { words: readonly string[]; patterns: readonly string[] };
  /** token id → additive logit bias (-Infinity bans the token). */
  logitBias?: Record<number, number>;
}

/** Ollama's defaults (api/types.go DefaultOptions). */
export const SAMPLER_DEFAULTS = {
  temperature: 0.8,
  top_k: 40,
  top_p: 0.9,
  min_p: 0.0,
  typical_p: 1.0,
  repeat_last_n: 64,
  repeat_penalty: 1.0,
  presence_penalty: 0,
  frequency_penalty: 0,
  mirostat: 0,
  mirostat_tau: 5.0,
  mirostat_eta: 0.1,
} as const;

/** Owner of one sampler chain. */
export class SamplerChain {
  #ptr: Ptr | null;
  /**
   * Whether the prompt should be fed through `accept` first: only penalties look back over it, and a
   * grammar must never see it (so with a grammar the prompt is not fed at all).
   */
  readonly wantsPrompt: boolean;

  constructor(vocab: Vocab, opts: SamplerOptions = {}) {
    const { shim, llama } = native();
    const o = { ...SAMPLER_DEFAULTS, ...stripUndefined(opts) };
    const chain = shim.tsllm_sampler_chain_init(true) as Ptr;
    this.#ptr = chain;
    const add = (s: Ptr | null) => {
      if (s) llama.llama_sampler_chain_add(chain, s);
    };
    const seed = opts.seed === undefined || opts.seed < 0 ? 0xffffffff : opts.seed >>> 0; // LLAMA_DEFAULT_SEED = random
    const nVocab = vocab.size;
    if (opts.logitBias && Object.keys(opts.logitBias).length > 0) add(logitBias(nVocab, opts.logitBias));
    if (opts.grammar) {
      const g = opts.grammarTriggers
        ? lazyGrammar(vocab, opts.grammar, opts.grammarTriggers)
        : (llama.llama_sampler_init_grammar(vocab.handle, cstr(opts.grammar), cstr("root")) as Ptr | null);
      if (!g) {
        this.dispose();
        throw new InvalidGrammarError();
      }
      add(g);
    }
    const penalties = o.repeat_penalty !== 1 || o.presence_penalty !== 0 || o.frequency_penalty !== 0;
    this.wantsPrompt = penalties && !opts.grammar;
    if (penalties) {
      const lastN = o.repeat_last_n < 0 ? 4096 : o.repeat_last_n;
      add(
        llama.llama_sampler_init_penalties(
          nVocab,
          lastN,
          o.repeat_penalty,
          o.frequency_penalty,
          o.presence_penalty,
        ) as Ptr,
      );
    }
    if (o.temperature <= 0) {
      add(llama.llama_sampler_init_greedy() as Ptr);
    } else if (o.mirostat === 1 || o.mirostat === 2) {
      add(llama.llama_sampler_init_temp(o.temperature) as Ptr);
      add(
        (o.mirostat === 1
          ? llama.llama_sampler_init_mirostat(nVocab, seed, o.mirostat_tau, o.mirostat_eta, 100)
          : llama.llama_sampler_init_mirostat_v2(seed, o.mirostat_tau, o.mirostat_eta)) as Ptr,
      );
    } else {
      if (o.top_k > 0) add(llama.llama_sampler_init_top_k(o.top_k) as Ptr);
      if (o.typical_p > 0 && o.typical_p < 1) add(llama.llama_sampler_init_typical(o.typical_p, 1) as Ptr);
      if (o.top_p > 0 && o.top_p < 1) add(llama.llama_sampler_init_top_p(o.top_p, 1) as Ptr);
      if (o.min_p > 0) add(llama.llama_sampler_init_min_p(o.min_p, 1) as Ptr);
      add(llama.llama_sampler_init_temp(o.temperature) as Ptr);
      add(llama.llama_sampler_init_dist(seed) as Ptr);
    }
  }

  #handle(): Ptr {
    if (!this.#ptr) throw new DisposedError("SamplerChain");
    return this.#ptr;
  }

  /** Samples a token from batch row `i` of the context's logits and accepts it into the chain's state. */
  sample(ctx: Context, i: number): number {
    return native().llama.llama_sampler_sample(this.#handle(), ctx.handle, i);
  }

  /** Feeds a token into the chain's history (penalties, grammar) without sampling. */
  accept(token: number): void {
    native().llama.llama_sampler_accept(this.#handle(), token);
  }

  /** Clears the chain's history. */
  reset(): void {
    native().llama.llama_sampler_reset(this.#handle());
  }

  /** Frees the chain (and every sampler in it). Idempotent. */
  dispose(): void {
    if (this.#ptr) native().llama.llama_sampler_free(this.#ptr);
    this.#ptr = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * A lazy grammar sampler. Each word becomes a pattern matching only at the end of the text so far (the
 * grammar then sees exactly the word: a token that carried text past it cannot feed the grammar something
 * it rejects, which llama.cpp would abort on); a word the vocabulary holds as one token also triggers on
 * that token.
 */
function lazyGrammar(
  vocab: Vocab,
  grammar: string,
  triggers: NonNullable<SamplerOptions["grammarTriggers"]>,
): Ptr | null {
  const tokens: number[] = [];
  const patterns = [...triggers.patterns];
  for (const word of triggers.words) {
    const ids = vocab.tokenize(word, false, true);
    if (ids.length === 1 && vocab.piece(ids[0] as number, true) === word) tokens.push(ids[0] as number);
    patterns.push(`${word.replace(/[.^$|()*+?[\]{}\\]/g, "\\$&")}$`);
  }
  const table = cstrArray(patterns);
  const ids = Int32Array.from(tokens.length > 0 ? tokens : [0]);
  const g = native().llama.llama_sampler_init_grammar_lazy_patterns(
    vocab.handle,
    cstr(grammar),
    cstr("root"),
    table.address,
    patterns.length,
    addressOf(ids),
    tokens.length,
  ) as Ptr | null;
  // llama.cpp copies patterns and tokens; the JS copies must only outlive the call.
  void table.keep;
  return g;
}

function logitBias(nVocab: number, bias: Record<number, number>): Ptr {
  const entries = Object.entries(bias).filter(([k]) => Number(k) >= 0 && Number(k) < nVocab);
  const buf = new Uint8Array(Math.max(1, entries.length) * LogitBias.size);
  entries.forEach(([k, v], i) => {
    const view = new StructView(LogitBias, buf.subarray(i * LogitBias.size, (i + 1) * LogitBias.size));
    view.set("token", Number(k)).set("bias", v === Number.NEGATIVE_INFINITY ? -1e30 : v);
  });
  // llama.cpp copies the array, so `buf` may go away after this call.
  return native().llama.llama_sampler_init_logit_bias(nVocab, entries.length, addressOf(buf)) as Ptr;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
