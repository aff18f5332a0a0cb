/**
 * A GBNF grammar kept beside a sampler chain rather than inside it, as llama.cpp's common sampler does:
 * the chain picks a token from every candidate and only that pick is checked against the grammar, so a
 * step costs about what free sampling costs. A rejected pick is resampled as "grammar, then chain" in C
 * (shim.c), where a top-k or greedy chain needs only its k best grammar-valid tokens checked.
 */
import { LlamaCallError } from "../ffi/errors.ts";
import { addressOf, cstr, cstrArray, type Ptr } from "../ffi/memory.ts";
import { native } from "../ffi/native.ts";
import { DisposedError } from "./errors.ts";
import { InvalidGrammarError } from "./grammar-errors.ts";
import { grammarTraits, type PrefixGroups, prefixGroups } from "./prefix-groups.ts";
import type { Vocab } from "./vocab.ts";

/** Where the chain truncates: the shim's exact shortcut for the "grammar, then chain" resample. */
export interface ChainShape {
  /** Leading chain samplers that only shift logits (logit bias, penalties). */
  nPre: number;
  /** Tokens the sampler after them keeps (top-k's k, 1 for greedy); 0 when it is not a top-k cut. */
  topK: number;
  /** Whether a chain sampler keeps history on accept (penalties). */
  stateful: boolean;
}

/** Lazy-grammar triggers (see GrammarTriggers in the runner protocol). */
export interface GrammarTriggerWords {
  words: readonly string[];
  patterns: readonly string[];
}

/** Owner of a grammar sampler and the shim state that samples with it over a borrowed chain. */
export class GrammarSampler {
  #ptr: Ptr | null;
  /** Read by the shim on every resample: must stay referenced while #ptr lives. */
  #groups: PrefixGroups | null = null;

  /** `chain` must outlive this object; throws InvalidGrammarError when libllama rejects the grammar. */
  constructor(
    vocab: Vocab,
    chain: Ptr,
    grammar: string,
    triggers: GrammarTriggerWords | undefined,
    shape: ChainShape,
  ) {
    const { llama, shim } = native();
    const g = triggers
      ? lazyGrammar(vocab, grammar, triggers)
      : (llama.llama_sampler_init_grammar(vocab.handle, cstr(grammar), cstr("root")) as Ptr | null);
    if (!g) throw new InvalidGrammarError();
    const gs = shim.tsllm_gsampler_new(
      chain,
      g,
      vocab.size,
      shape.nPre,
      shape.topK,
      shape.stateful,
    ) as Ptr | null;
    if (!gs) {
      llama.llama_sampler_free(g);
      throw new LlamaCallError("tsllm_gsampler_new", "out of memory");
    }
    this.#ptr = gs;
    // Groups only serve the top-k resample; without them it is slower, never different.
    const traits = shape.topK > 0 ? grammarTraits(grammar) : null;
    const groups = traits && !traits.tokenRules ? prefixGroups(vocab) : null;
    if (groups) {
      const excluded = Uint32Array.from(traits?.excluded.length ? traits.excluded : [0]);
      const rc = shim.tsllm_gsampler_use_groups(
        gs,
        vocab.handle,
        addressOf(groups.groupOf),
        groups.count,
        addressOf(groups.probe),
        addressOf(groups.parent),
        addressOf(excluded),
        (traits?.excluded.length ?? 0) / 2,
      );
      if (rc === 0) this.#groups = groups;
    }
  }

  #handle(): Ptr {
    if (!this.#ptr) throw new DisposedError("GrammarSampler");
    return this.#ptr;
  }

  /**
   * Samples a grammar-valid token from the context's logits row and accepts it into grammar and chain.
   * `grammarFirst` checks the grammar before the chain picks (the distribution of a grammar inside the chain).
   */
  sample(ctx: Ptr, i: number, grammarFirst: boolean): number {
    const tok = native().shim.tsllm_gsampler_sample(this.#handle(), ctx, i, grammarFirst);
    if (tok < 0)
      throw new LlamaCallError("tsllm_gsampler_sample", tok === -1 ? "no logits" : "no token selected");
    return tok;
  }

  /** Steps sampled, chain picks the grammar rejected (each one resampled), tokens checked against it. */
  stats(): { sampled: number; rejected: number; checked: number } {
    const out = new Int32Array(3);
    native().shim.tsllm_gsampler_stats(this.#handle(), addressOf(out));
    return { sampled: out[0] as number, rejected: out[1] as number, checked: out[2] as number };
  }

  /** Returns the grammar to its start (a lazy grammar waits for its trigger again). */
  reset(): void {
    native().shim.tsllm_gsampler_reset(this.#handle());
  }

  /** Frees the grammar sampler and its candidate buffer (never the chain). Idempotent. */
  dispose(): void {
    if (this.#ptr) native().shim.tsllm_gsampler_free(this.#ptr);
    this.#ptr = null;
    this.#groups = null; // the native sampler, their only reader, is gone
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
function lazyGrammar(vocab: Vocab, grammar: string, triggers: GrammarTriggerWords): Ptr | null {
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
