/**
 * Speculative decoding in the batching engine. Before each decode, every generating slot that drafts gets
 * up to `max` proposed tokens (n-gram lookup in its own sequence, or the draft model) placed in the batch
 * after its last sampled token, each with an output row; the other slots' tokens and pending prompts share
 * the same decode. After it, the engine samples the target's rows in order with the slot's own sampler and
 * keeps drafts while they equal what was sampled: the sampler (grammar included) sees exactly the tokens
 * plain decoding would have produced, so the output is identical for the same sampler and seed. The KV
 * entries of rejected drafts are then removed.
 */
import type { Batch } from "../batch.ts";
import type { Context } from "../context.ts";
import type { DraftModel, DraftRequest } from "./draft-model.ts";
import { ngramDraft } from "./ngram.ts";
import type { Slot, Task } from "./slot.ts";
import type { GenerateRequest } from "./types.ts";

/** How a request drafts: mode, and the most and fewest tokens one step proposes (fewer = no draft). */
export interface DraftOptions {
  /** Unset = the draft model when one is loaded, else off. */
  mode?: "off" | "ngram" | "model";
  max: number;
  min: number;
}

/**
 * Draft length bounds when a request names none: Ollama's draft_num_predict default (4), no minimum. Drafting
 * itself is off unless a mode is asked for or a draft model is loaded.
 */
export const DRAFT_DEFAULTS = { max: 4, min: 0 } as const;

/** Upper bound on `max`: a step's batch must still hold the other slots' tokens. */
export const DRAFT_MAX_LIMIT = 64;

/** The request's draft mode once the loaded draft model is known ("model" by default when there is one). */
export function draftMode(req: GenerateRequest, hasModel: boolean): NonNullable<DraftOptions["mode"]> {
  return req.draft?.mode ?? (hasModel ? "model" : "off");
}

/** Plans each step's drafts for the engine. */
export class Speculator {
  constructor(
    private readonly ctx: Context,
    readonly model: DraftModel | null,
  ) {}

  /**
   * Adds drafts after the last sampled token of each generating slot already in `batch` (its row is set),
   * bounded by the request's limit, the KV cache's free cells and the batch's free rows. Sets each slot's
   * `draft` and `draftRows`; the cached tokens grow by the drafts (trimmed again by `settle`).
   */
  addDrafts(slots: readonly Slot[], batch: Batch): void {
    let cells = this.ctx.nCtx - slots.reduce((n, s) => n + s.cached.length, 0);
    const modelReqs: DraftRequest[] = [];
    const modelSlots: Slot[] = [];
    const planned: [Slot, number[]][] = [];
    for (const s of slots) {
      s.draft = [];
      s.draftRows = [];
      const t = s.task;
      const mode = t && s.state === "generating" && s.row >= 0 ? draftMode(t.req, !!this.model) : "off";
      let n = 0;
      if (t && mode !== "off") {
        const opts = t.req.draft;
        const limit = t.req.numPredict >= 0 ? t.req.numPredict : 10 * this.ctx.nCtx;
        // The sampled token at the last draft's row is one more: never draft past the request's limit.
        n = Math.min(
          opts?.max ?? DRAFT_DEFAULTS.max,
          limit - t.predicted - 1,
          this.ctx.nCtx - s.cached.length,
          cells,
          batch.free - planned.reduce((k, [, d]) => k + d.length, 0) - modelReqs.reduce((k, r) => k + r.n, 0),
        );
        n = Math.max(0, n);
        cells -= n;
      }
      if (mode === "ngram") planned.push([s, ngramDraft(s.cached, n)]);
      // The draft model keeps every sequence in line with the slot's cache, drafting or not.
      else if (this.model) {
        modelReqs.push({ seq: s.id, history: s.cached, n: mode === "model" ? n : 0 });
        modelSlots.push(s);
      }
    }
    if (this.model && modelReqs.some((r) => r.n > 0)) {
      // Each context has its own thread pool; one left spinning would take the cores from the other.
      this.ctx.parkThreads();
      const drafts = this.model.propose(modelReqs);
      this.model.ctx.parkThreads();
      modelSlots.forEach((s, i) => planned.push([s, drafts[i] as number[]]));
    } else if (this.model) this.model.propose(modelReqs);
    for (const [s, draft] of planned) {
      const t = s.task as Task;
      if (draft.length === 0 || draft.length < (t.req.draft?.min ?? DRAFT_DEFAULTS.min)) continue;
      s.draft = draft;
      for (const tok of draft) {
        s.draftRows.push(batch.add(tok, s.pos(), s.id, true));
        s.cached.push(tok);
      }
      t.drafted += draft.length;
    }
  }

  /**
   * After verification: `accepted` of the slot's `drafted` tokens were kept. Removes the rejected ones from
   * the target's cache (the draft model trims its own on its next step).
   */
  settle(s: Slot, drafted: number, accepted: number): void {
    const keep = s.cached.length - drafted + accepted;
    if (keep < s.cached.length) this.ctx.seqRm(s.id, s.truncate(keep), -1);
    s.draft = [];
    s.draftRows = [];
  }
}
