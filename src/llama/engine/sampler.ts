/** A per-slot llama_sampler chain built from Ollama's sampling options. */
import { addressOf, type Ptr } from "../ffi/memory.ts";
import { native } from "../ffi/native.ts";
import { LogitBias, StructView } from "../ffi/structs.ts";
import type { Context } from "./context.ts";
import { DisposedError } from "./errors.ts";
import { GrammarSampler } from "./grammar-sampler.ts";
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

/** Owner of one sampler chain, and of the grammar sampled beside it. */
export class SamplerChain {
  #ptr: Ptr | null;
  #grammar: GrammarSampler | null = null;
  /** Whether the prompt should be fed through `accept` first: only penalties look back over it. */
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
    // The grammar stays out of the chain (GrammarSampler); these leading samplers only shift logits.
    let nPre = 0;
    if (opts.logitBias && Object.keys(opts.logitBias).length > 0) {
      add(logitBias(nVocab, opts.logitBias));
      nPre++;
    }
    const penalties = o.repeat_penalty !== 1 || o.presence_penalty !== 0 || o.frequency_penalty !== 0;
    this.wantsPrompt = penalties;
    if (penalties) {
      nPre++;
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
    let topK = 0;
    if (o.temperature <= 0) {
      add(llama.llama_sampler_init_greedy() as Ptr);
      topK = 1;
    } else if (o.mirostat === 1 || o.mirostat === 2) {
      add(llama.llama_sampler_init_temp(o.temperature) as Ptr);
      add(
        (o.mirostat === 1
          ? llama.llama_sampler_init_mirostat(nVocab, seed, o.mirostat_tau, o.mirostat_eta, 100)
          : llama.llama_sampler_init_mirostat_v2(seed, o.mirostat_tau, o.mirostat_eta)) as Ptr,
      );
    } else {
      if (o.top_k > 0) {
        add(llama.llama_sampler_init_top_k(o.top_k) as Ptr);
        topK = Math.min(o.top_k, nVocab);
      }
      if (o.typical_p > 0 && o.typical_p < 1) add(llama.llama_sampler_init_typical(o.typical_p, 1) as Ptr);
      if (o.top_p > 0 && o.top_p < 1) add(llama.llama_sampler_init_top_p(o.top_p, 1) as Ptr);
      if (o.min_p > 0) add(llama.llama_sampler_init_min_p(o.min_p, 1) as Ptr);
      add(llama.llama_sampler_init_temp(o.temperature) as Ptr);
      add(llama.llama_sampler_init_dist(seed) as Ptr);
    }
    if (opts.grammar) {
      try {
        this.#grammar = new GrammarSampler(vocab, chain, opts.grammar, opts.grammarTriggers, {
          nPre,
          topK,
          stateful: penalties,
        });
      } catch (e) {
        this.dispose();
        throw e;
      }
    }
  }

  #handle(): Ptr {
    if (!this.#ptr) throw new DisposedError("SamplerChain");
    return this.#ptr;
  }

  /**
   * Samples a token from batch row `i` of the context's logits and accepts it into the chain's state (and
   * the grammar's). With a grammar, `grammarFirst` checks every candidate against it before the chain picks
   * (the distribution of a grammar inside the chain) instead of checking the chain's pick.
   */
  sample(ctx: Context, i: number, grammarFirst = false): number {
    const chain = this.#handle();
    if (this.#grammar) return this.#grammar.sample(ctx.handle, i, grammarFirst);
    return native().llama.llama_sampler_sample(chain, ctx.handle, i);
  }

  /** Feeds a prompt token into the chain's history (penalties); the grammar never sees the prompt. */
  accept(token: number): void {
    native().llama.llama_sampler_accept(this.#handle(), token);
  }

  /** With a grammar: steps sampled, chain picks it rejected (then resampled), tokens checked against it. */
  grammarStats(): { sampled: number; rejected: number; checked: number } | null {
    return this.#grammar?.stats() ?? null;
  }

  /** Clears the chain's history and returns the grammar to its start. */
  reset(): void {
    native().llama.llama_sampler_reset(this.#handle());
    this.#grammar?.reset();
  }

  /** Frees the grammar sampler, then the chain (and every sampler in it). Idempotent. */
  dispose(): void {
    this.#grammar?.dispose();
    this.#grammar = null;
    if (this.#ptr) native().llama.llama_sampler_free(this.#ptr);
    this.#ptr = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
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
