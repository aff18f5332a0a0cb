/** One sequence of the shared context: its cached tokens and, while busy, the request it serves. */
import { SamplerChain } from "../sampler.ts";
import type { Vocab } from "../vocab.ts";
import { StopMatcher } from "./stop.ts";
import type { GenerateRequest, Piece, Sink, Timings } from "./types.ts";
import { Utf8Stream } from "./utf8.ts";

/** An image in a slot's cache whose entries advance the position by `nPos` in all (see Slot.spans). */
export interface PositionSpan {
  start: number;
  nTokens: number;
  nPos: number;
}

/** Slot lifecycle. */
export type SlotState = "idle" | "prefill" | "generating";

/** A request bound to a slot. */
export interface Task {
  req: GenerateRequest;
  sink: Sink;
  cancelled: boolean;
  sampler: SamplerChain;
  stop: StopMatcher;
  utf8: Utf8Stream;
  /** Prompt entries already in the KV cache (cache hit plus what prefill has decoded): an index, not a position. */
  nPast: number;
  cacheN: number;
  predicted: number;
  /** Last sampled token, not yet decoded. */
  last: number;
  repeatRun: number;
  /** When the request was bound to the slot, and when its first token was sampled (ms). */
  tStart: number;
  tFirst: number;
  /** Tokens sampled since the last emitted piece (text held back by the stop matcher or UTF-8 stream). */
  pending: Piece;
  /** Speculative decoding: draft tokens proposed and accepted so far; whether the request drafts at all. */
  drafted: number;
  accepted: number;
  drafts: boolean;
}

/** A KV-cache sequence and its bookkeeping. */
export class Slot {
  state: SlotState = "idle";
  /** Tokens whose KV entries are in the cache for this sequence, in position order. */
  cached: number[] = [];
  /**
   * Images in `cached` that advance the position by fewer steps than they hold entries (M-RoPE: n_pos < n_tokens).
   * Elsewhere an entry's index is its position; these spans are what the position lags the index by.
   */
  spans: PositionSpan[] = [];
  lastUsed = 0;
  task: Task | null = null;
  /** Row of this slot's output in the current batch, -1 if none. */
  row = -1;
  /** This step's draft tokens (after the last sampled token) and their batch rows. */
  draft: number[] = [];
  draftRows: number[] = [];

  constructor(readonly id: number) {}

  /**
   * Position of cache entry `n` (default: the next one). Entries pushed since a truncation must have taken
   * their position from here first, so spans beyond the cache are gone by the time it grows again.
   */
  pos(n = this.cached.length): number {
    if (this.spans.length === 0) return n;
    this.#prune();
    let lag = 0;
    for (const sp of this.spans) if (sp.start + sp.nTokens <= n) lag += sp.nTokens - sp.nPos;
    return n - lag;
  }

  /** Records an image of `nTokens` entries from entry `start` that advanced the position by `nPos`. */
  addSpan(start: number, nTokens: number, nPos: number): void {
    if (nPos !== nTokens) this.spans.push({ start, nTokens, nPos });
  }

  /** Keeps the first `n` cached entries (never cutting an image); returns the position to remove KV cells from. */
  truncate(n: number): number {
    const p = this.pos(n);
    if (n < this.cached.length) this.cached.length = n;
    this.#prune();
    return p;
  }

  /** Drops spans no longer wholly in the cache. */
  #prune(): void {
    const n = this.cached.length;
    if (this.spans.some((sp) => sp.start + sp.nTokens > n))
      this.spans = this.spans.filter((sp) => sp.start + sp.nTokens <= n);
  }

  /** Binds a request; the caller has already trimmed the cache to `nPast` tokens. */
  bind(req: GenerateRequest, sink: Sink, vocab: Vocab, nPast: number, now: number, drafts = false): void {
    this.task = {
      req,
      sink,
      cancelled: false,
      sampler: new SamplerChain(vocab, req.sampling),
      stop: new StopMatcher(req.stop),
      utf8: new Utf8Stream(),
      nPast,
      cacheN: nPast,
      predicted: 0,
      last: -1,
      repeatRun: 0,
      tStart: now,
      tFirst: 0,
      pending: { content: "", tokens: [] },
      drafted: 0,
      accepted: 0,
      drafts,
    };
    // Penalties look back over the prompt, as llama-server's do (one FFI call per token: only when needed).
    // Image placeholders (negative) are not tokens.
    if (this.task.sampler.wantsPrompt) for (const t of req.prompt) if (t >= 0) this.task.sampler.accept(t);
    this.state = "prefill";
  }

  /** Unbinds the request and frees its sampler; the cache stays for reuse. */
  release(now: number): void {
    this.task?.sampler.dispose();
    this.task = null;
    this.state = "idle";
    this.lastUsed = now;
    this.row = -1;
  }

  /** Timings of the bound request at `now`. */
  timings(now: number): Timings {
    const t = this.task as Task;
    const first = t.tFirst || now;
    return {
      prompt_n: t.req.prompt.length - t.cacheN,
      prompt_ms: first - t.tStart,
      predicted_n: t.predicted,
      predicted_ms: t.tFirst ? now - t.tFirst : 0,
      cache_n: t.cacheN,
      ...(t.drafts ? { draft_n: t.drafted, draft_n_accepted: t.accepted } : {}),
    };
  }
}
