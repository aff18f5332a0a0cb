/**
 * Continuous batching over one context with `nParallel` slots and a unified KV cache. Each step: every
 * generating slot's next token goes into the batch first, then pending prompts fill the rest in chunks
 * (chunked prefill), then one llama_decode, then one sample per slot with an output row. A new request
 * takes the idle slot sharing the longest prefix with it, so only the suffix is decoded.
 */
import type { TsllmError } from "../../../errors.ts";
import { Batch } from "../batch.ts";
import type { Context } from "../context.ts";
import { CacheSpace } from "./cache-space.ts";
import { NoDraftModelError } from "./draft-errors.ts";
import type { DraftModel } from "./draft-model.ts";
import { EngineClosedError, TokenRepeatLimitError } from "./errors.ts";
import { evaluateDueImages, imageSafePrefix, markCached, textRunEnd } from "./images.ts";
import { logprobsOf } from "./logprobs.ts";
import { commonPrefix, truncatePrompt } from "./prefix.ts";
import { Slot, type Task } from "./slot.ts";
import { draftMode, Speculator } from "./speculative.ts";
import type { GenerateRequest, Sink } from "./types.ts";

/** Identical tokens in a row after which generation is ended as a loop. */
export const REPEAT_LIMIT = 256;

interface Waiting {
  req: GenerateRequest;
  sink: Sink;
  cancelled: boolean;
}

/** A handle to cancel a submitted request. */
export interface Submission {
  cancel(): void;
}

/** The continuous-batching scheduler for one context. */
export class BatchEngine {
  readonly slots: Slot[];
  readonly #ctx: Context;
  readonly #batch: Batch;
  readonly #space: CacheSpace;
  readonly #queue: Waiting[] = [];
  readonly #now: () => number;
  readonly #spec: Speculator;
  #wake: (() => void) | null = null;
  #closed = false;
  /** llama_decode calls made, and the busy slots summed over them (llama-server's n_decode, n_busy_slots). */
  decodes = 0;
  busySlots = 0;
  /** Speculative decoding: draft tokens proposed and accepted since start. */
  draftProposed = 0;
  draftAccepted = 0;

  constructor(
    ctx: Context,
    opts: { nParallel: number; nBatch: number; now?: () => number; draft?: DraftModel },
  ) {
    this.#ctx = ctx;
    this.#now = opts.now ?? (() => performance.now());
    this.slots = Array.from({ length: opts.nParallel }, (_, i) => new Slot(i));
    this.#space = new CacheSpace(ctx, this.slots);
    this.#spec = new Speculator(ctx, opts.draft ?? null);
    // llama.cpp may lower n_batch (never above n_ctx): a larger batch would trip its GGML_ASSERT.
    this.#batch = new Batch(Math.min(opts.nBatch, ctx.nBatch), 1);
  }

  /** Queues a request; output goes to `sink`. */
  submit(req: GenerateRequest, sink: Sink): Submission {
    if (this.#closed) {
      sink.error(new EngineClosedError());
      return { cancel() {} };
    }
    if (req.draft?.mode === "model" && !this.#spec.model) {
      sink.error(new NoDraftModelError());
      return { cancel() {} };
    }
    const w: Waiting = {
      req: { ...req, prompt: truncatePrompt(req.prompt, this.#ctx.nCtx, req.numKeep) },
      sink,
      cancelled: false,
    };
    this.#queue.push(w);
    const slots = this.slots;
    this.#wake?.();
    return {
      cancel() {
        w.cancelled = true;
        for (const s of slots) if (s.task?.sink === sink) s.task.cancelled = true;
      },
    };
  }

  /** Slots serving a request. */
  get busy(): number {
    return this.slots.filter((s) => s.state !== "idle").length;
  }

  /** True when a step would do something. */
  hasWork(): boolean {
    return this.busy > 0 || this.#queue.length > 0;
  }

  /** Resolves when work arrives. */
  idle(): Promise<void> {
    if (this.hasWork() || this.#closed) return Promise.resolve();
    return new Promise((r) => {
      this.#wake = () => {
        this.#wake = null;
        r();
      };
    });
  }

  /** Ends every request (queued ones with an error, running ones as cancelled) and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const w of this.#queue.splice(0)) w.sink.error(new EngineClosedError());
    for (const s of this.slots) if (s.task) this.#finish(s, "cancel");
    this.#batch.dispose();
    this.#wake?.();
  }

  /** One scheduling step: admit, batch, decode, sample. */
  step(): void {
    if (this.#closed) return;
    this.#reapCancelled();
    this.#admit();
    const batch = this.#batch;
    batch.clear();
    for (const s of this.slots) {
      s.row = -1;
      if (s.state !== "generating" || batch.free === 0) continue; // a full batch: this slot goes next step
      const t = s.task as Task;
      if (!this.#space.makeRoom(s)) {
        this.#finish(s, "length");
        continue;
      }
      s.row = batch.add(t.last, s.pos(), s.id, true);
      s.cached.push(t.last);
    }
    this.#spec.addDrafts(this.slots, batch);
    for (const s of this.slots) {
      if (s.state !== "prefill" || batch.free === 0) continue;
      const t = s.task as Task;
      // An image is evaluated whole (its own decode) once the text before it is in the cache.
      const failed = t.req.images ? evaluateDueImages(s) : null;
      if (failed) {
        this.#ctx.seqRm(s.id, s.pos(), -1);
        this.#fail(s, failed);
        continue;
      }
      const n = Math.min(batch.free, textRunEnd(t, t.nPast) - t.nPast);
      for (let i = 0; i < n; i++) {
        const tok = t.req.prompt[t.nPast] as number;
        const last = t.nPast === t.req.prompt.length - 1;
        const row = batch.add(tok, s.pos(), s.id, last);
        if (last) s.row = row;
        s.cached.push(tok);
        t.nPast++;
      }
    }
    if (batch.size === 0) return;
    try {
      this.#ctx.decode(batch);
    } catch (e) {
      this.#decodeFailed(e as TsllmError);
      return;
    }
    this.decodes++;
    this.busySlots += this.busy;
    for (const s of this.slots) {
      if (s.row < 0 || !s.task) continue;
      if (s.draft.length > 0) this.#verify(s);
      else this.#sample(s, s.row);
    }
  }

  /**
   * Samples the slot's rows in order while the drafts match what its sampler picks; each pick is an output
   * token exactly as plain decoding would produce it. Then drops the rejected drafts' cache entries.
   */
  #verify(s: Slot): void {
    const { draft, draftRows } = s;
    const t = s.task as Task;
    let accepted = 0;
    let live = this.#sample(s, s.row);
    while (live && accepted < draft.length && t.last === draft[accepted]) {
      live = this.#sample(s, draftRows[accepted] as number);
      accepted++;
    }
    t.accepted += accepted;
    this.draftAccepted += accepted;
    this.draftProposed += draft.length;
    this.#spec.settle(s, draft.length, accepted);
  }

  /** Samples the slot's next token from batch row `row`; false once the request has ended. */
  #sample(s: Slot, row: number): boolean {
    const t = s.task as Task;
    const now = this.#now();
    if (s.state === "prefill") {
      s.state = "generating";
      t.tFirst = now;
    }
    const lp = t.req.logprobs !== undefined ? Float32Array.from(this.#ctx.logits(row)) : null;
    const tok = t.sampler.sample(this.#ctx, row);
    const vocab = this.#ctx.model.vocab;
    if (vocab.isEog(tok)) return this.#end(s, "stop");
    t.predicted++;
    t.repeatRun = tok === t.last ? t.repeatRun + 1 : 1;
    t.last = tok;
    if (t.repeatRun >= REPEAT_LIMIT) {
      this.#fail(s, new TokenRepeatLimitError(tok, t.repeatRun));
      return false;
    }
    const text = t.utf8.push(vocab.pieceBytes(tok, false));
    const { emit, stopped } = t.stop.push(text);
    t.pending.tokens.push(tok);
    if (lp) {
      const l = logprobsOf(lp, tok, t.req.logprobs ?? 0);
      (t.pending.logprobs ??= []).push({
        ...l,
        token: vocab.piece(tok),
        topText: l.top.map((x) => vocab.piece(x.id)),
      });
    }
    if (emit) {
      t.pending.content += emit;
      t.sink.piece(t.pending);
      t.pending = { content: "", tokens: [] };
    }
    if (stopped) return this.#end(s, "stop", false);
    const limit = t.req.numPredict >= 0 ? t.req.numPredict : 10 * this.#ctx.nCtx;
    if (t.predicted >= limit) return this.#end(s, "length");
    return true;
  }

  #end(s: Slot, reason: "stop" | "length", flushStop = true): false {
    this.#finish(s, reason, flushStop);
    return false;
  }

  #admit(): void {
    while (this.#queue.length > 0) {
      const w = this.#queue[0] as Waiting;
      if (w.cancelled) {
        this.#queue.shift();
        continue;
      }
      const idle = this.slots.filter((s) => s.state === "idle");
      if (idle.length === 0) return;
      // Longest common prefix wins; ties go to the least recently used slot.
      let best = idle[0] as Slot;
      let bestLcp = -1;
      for (const s of idle) {
        const lcp = commonPrefix(s.cached, w.req.prompt);
        if (lcp > bestLcp || (lcp === bestLcp && s.lastUsed < best.lastUsed)) {
          best = s;
          bestLcp = lcp;
        }
      }
      // At least one prompt token is decoded so there are logits to sample from.
      const nPast = imageSafePrefix(w.req.images, Math.min(bestLcp, w.req.prompt.length - 1));
      if (!this.#space.reserve(best, w.req.prompt.length - nPast)) return;
      this.#queue.shift();
      this.#ctx.seqRm(best.id, best.truncate(nPast), -1);
      try {
        const drafts = draftMode(w.req, !!this.#spec.model) !== "off";
        best.bind(w.req, w.sink, this.#ctx.model.vocab, nPast, this.#now(), drafts);
        markCached(w.req.images, nPast);
      } catch (e) {
        best.release(this.#now());
        w.sink.error(e as TsllmError);
      }
    }
  }

  #reapCancelled(): void {
    for (const s of this.slots) if (s.task?.cancelled) this.#finish(s, "cancel");
  }

  #decodeFailed(e: TsllmError): void {
    // What this step added may be half-written: drop the affected sequences' caches, end their requests.
    for (const s of this.slots) {
      if (!s.task) continue;
      this.#ctx.seqRm(s.id, -1, -1);
      s.cached = [];
      this.#fail(s, e);
    }
  }

  #finish(s: Slot, reason: "stop" | "length" | "cancel", flushStop = true): void {
    const t = s.task as Task;
    const tail = t.utf8.flush();
    let content = t.pending.content;
    if (reason !== "cancel") {
      const { emit } = t.stop.push(tail);
      content += emit + (flushStop ? t.stop.flush() : "");
    }
    const timings = s.timings(this.#now());
    s.release(this.#now());
    t.sink.done(reason, content, timings, reason === "stop" ? t.stop.matched : undefined);
  }

  #fail(s: Slot, e: TsllmError): void {
    const t = s.task as Task;
    s.release(this.#now());
    t.sink.error(e);
  }
}
