/**
 * The shared KV cache as the slots use it (unified cache: every slot's cached tokens count against n_ctx):
 * making room for a generating slot (drop idle slots' caches, least recently used first, else shift the
 * sequence keeping num_keep tokens) and reserving room for a prompt before it is admitted.
 */
import type { Context } from "../context.ts";
import type { Slot, Task } from "./slot.ts";

export class CacheSpace {
  constructor(
    private readonly ctx: Context,
    private readonly slots: readonly Slot[],
  ) {}

  /** Cells the slots' cached tokens occupy. */
  #used(): number {
    return this.slots.reduce((n, x) => n + x.cached.length, 0);
  }

  /**
   * Makes room for one more token of the generating slot `s`: drops idle caches, then shifts the context
   * if the request allows it. False when there is no room and no shift (the request ends with "length").
   */
  makeRoom(s: Slot): boolean {
    const nCtx = this.ctx.nCtx;
    const fits = () => s.cached.length < nCtx && this.#used() < nCtx;
    if (fits()) return true;
    this.#dropIdle(() => this.#used() < nCtx);
    if (fits()) return true;
    const t = s.task as Task;
    // Shifting moves positions by entry counts: wrong once an image's entries do not advance one position each
    // (M-RoPE models cannot shift anyway).
    if (!t.req.shift || !this.ctx.canShift() || s.spans.length > 0) return false;
    const keep = Math.min(t.req.numKeep, s.cached.length - 1);
    const discard = Math.max(1, Math.floor((s.cached.length - keep) / 2));
    this.ctx.seqRm(s.id, keep, keep + discard);
    this.ctx.seqAdd(s.id, keep + discard, -1, -discard);
    s.cached.splice(keep, discard);
    return true;
  }

  /**
   * Whether `need` more cells for `target` fit next to what the other slots hold and still have to
   * prefill, after dropping idle caches (LRU first). With nothing else running it is allowed anyway:
   * shifting makes room as generation proceeds.
   */
  reserve(target: Slot, need: number): boolean {
    const pending = (s: Slot) => (s.task ? s.task.req.prompt.length - s.task.nPast : 0);
    const fits = () =>
      this.slots.reduce((n, s) => n + (s === target ? 0 : s.cached.length + pending(s)), 0) +
        target.cached.length +
        need <=
      this.ctx.nCtx;
    this.#dropIdle(fits, target);
    return fits() || this.slots.every((s) => s.state === "idle");
  }

  /** Drops idle slots' caches, least recently used first, until `enough()` holds. */
  #dropIdle(enough: () => boolean, except?: Slot): void {
    const victims = this.slots
      .filter((x) => x.state === "idle" && x !== except && x.cached.length > 0)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    for (const v of victims) {
      if (enough()) return;
      this.ctx.seqRm(v.id, -1, -1);
      v.cached = [];
    }
  }
}
