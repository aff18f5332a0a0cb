/**
 * A draft model for speculative decoding: a smaller model sharing the target's vocabulary, in its own context
 * with one sequence per slot. Each step it catches up with every drafting slot's sequence (only the tokens it
 * has not seen: its own cache is trimmed to the common prefix, so rejected drafts and context shifts are
 * undone there too), then drafts greedily, all slots advancing together in one batch per drafted token.
 */
import { Batch } from "../batch.ts";
import { Context, type ContextOptions } from "../context.ts";
import { Model, type ModelLoadOptions } from "../model.ts";
import { SamplerChain } from "../sampler.ts";
import type { Vocab } from "../vocab.ts";
import { DraftVocabMismatchError } from "./draft-errors.ts";
import { commonPrefix } from "./prefix.ts";

/** One slot's part in a drafting step: its sequence so far (last token included) and how many to draft. */
export interface DraftRequest {
  seq: number;
  history: readonly number[];
  /** Tokens to draft; 0 only brings the draft cache in line with `history` (drops what it no longer holds). */
  n: number;
}

/** Ids below this may differ (llama.cpp tolerates differing control tokens at the start of a vocabulary). */
const FREE_IDS = 5;

/** Throws DraftVocabMismatchError unless `draft` tokenizes exactly as `target` (same ids, same texts). */
export function checkDraftVocab(target: Vocab, draft: Vocab): void {
  if (target.size !== draft.size)
    throw new DraftVocabMismatchError(`${draft.size} tokens, the model has ${target.size}`);
  if (target.addBos !== draft.addBos || (target.addBos && target.bos !== draft.bos))
    throw new DraftVocabMismatchError("different BOS handling");
  if (target.eos !== draft.eos) throw new DraftVocabMismatchError("different EOS token");
  for (let i = FREE_IDS; i < target.size; i++) {
    if (target.text(i) !== draft.text(i))
      throw new DraftVocabMismatchError(`token ${i} is ${JSON.stringify(draft.text(i))}`);
  }
}

/** Owner of a draft model, its context, batch and greedy sampler. */
export class DraftModel {
  readonly model: Model;
  readonly ctx: Context;
  readonly #batch: Batch;
  readonly #greedy: SamplerChain;
  /** Per sequence: the tokens whose KV entries the draft context holds, in position order. */
  readonly #seqs: number[][];
  /** Draft tokens proposed since load. */
  proposed = 0;

  private constructor(model: Model, ctx: Context) {
    this.model = model;
    this.ctx = ctx;
    this.#batch = new Batch(ctx.nBatch, 1);
    this.#greedy = new SamplerChain(model.vocab, { temperature: 0, repeat_penalty: 1 });
    this.#seqs = Array.from({ length: ctx.nSeqMax }, () => []);
  }

  /** Loads the draft model and its context; refuses one whose vocabulary differs from `target`'s. */
  static load(path: string, target: Vocab, load: ModelLoadOptions, ctx: ContextOptions): DraftModel {
    const model = Model.load(path, load);
    let c: Context | null = null;
    try {
      checkDraftVocab(target, model.vocab);
      c = new Context(model, ctx);
      return new DraftModel(model, c);
    } catch (e) {
      c?.dispose();
      model.dispose();
      throw e;
    }
  }

  /** Drafts for each request (in order), up to its `n` tokens each; a failed decode only ends drafts early. */
  propose(reqs: readonly DraftRequest[]): number[][] {
    const out = reqs.map((): number[] => []);
    const live: { i: number; pending: number[]; row: number }[] = [];
    reqs.forEach((r, i) => {
      const mirror = this.#seqs[r.seq] as number[];
      // At least the last token is decoded again: its logits give the first draft token.
      const keep = Math.min(commonPrefix(mirror, r.history), r.n > 0 ? r.history.length - 1 : Infinity);
      if (keep < mirror.length) {
        this.ctx.seqRm(r.seq, keep, -1);
        mirror.length = keep;
      }
      const pending = r.history.slice(keep) as number[];
      // A sequence holding an image (negative placeholder entries) is beyond a text-only draft model.
      if (r.n > 0 && !pending.some((t) => t < 0)) live.push({ i, pending, row: -1 });
    });
    try {
      // Catch up, in batch-sized chunks; a sequence's first draft comes from its last history token.
      while (live.some((l) => l.pending.length > 0)) {
        const batch = this.#batch;
        batch.clear();
        const done: typeof live = [];
        for (const l of live) {
          const mirror = this.#seqs[(reqs[l.i] as DraftRequest).seq] as number[];
          while (l.pending.length > 0 && batch.free > 0) {
            const tok = l.pending.shift() as number;
            const last = l.pending.length === 0;
            const row = batch.add(tok, mirror.length, (reqs[l.i] as DraftRequest).seq, last);
            mirror.push(tok);
            if (last) {
              l.row = row;
              done.push(l);
            }
          }
        }
        this.ctx.decode(batch);
        for (const l of done) (out[l.i] as number[]).push(this.#greedy.sample(this.ctx, l.row));
      }
      // Then one token per drafting sequence per decode.
      for (;;) {
        const batch = this.#batch;
        batch.clear();
        const step = live.filter((l) => (out[l.i] as number[]).length < (reqs[l.i] as DraftRequest).n);
        if (step.length === 0) break;
        for (const l of step) {
          const r = reqs[l.i] as DraftRequest;
          const mirror = this.#seqs[r.seq] as number[];
          const tok = (out[l.i] as number[]).at(-1) as number;
          l.row = batch.add(tok, mirror.length, r.seq, true);
          mirror.push(tok);
        }
        this.ctx.decode(batch);
        for (const l of step) (out[l.i] as number[]).push(this.#greedy.sample(this.ctx, l.row));
      }
    } catch {
      // The draft cache may be half-written: start over next time; what was drafted so far is still valid.
      this.reset();
    }
    for (const o of out) this.proposed += o.length;
    return out;
  }

  /** Drops every sequence from the draft cache. */
  reset(): void {
    this.ctx.clearMemory();
    for (const s of this.#seqs) s.length = 0;
  }

  /** Frees the sampler, batch, context and model. Idempotent. */
  dispose(): void {
    this.#greedy.dispose();
    this.#batch.dispose();
    this.ctx.dispose();
    this.model.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
