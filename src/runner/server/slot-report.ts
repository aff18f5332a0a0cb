/** The engine thread's side of the slot board: what the slots and the KV cache hold after a step. */
import type { BatchEngine } from "../../llama/engine/batching/engine.ts";
import type { Context } from "../../llama/engine/context.ts";
import type { SlotBoard, SlotFacts } from "./slot-board.ts";

/**
 * Writes the current state to `board`. KV cells used come from llama.cpp's memory API (each sequence's
 * position range): the cache's own account, not the engine's bookkeeping. `engine` is null for an
 * embedding runner, which has no generation slots.
 */
export function reportSlots(board: SlotBoard, ctx: Context, engine: BatchEngine | null): void {
  let kvUsed = 0;
  const slots: SlotFacts[] = [];
  for (const s of engine?.slots ?? []) {
    if (s.cached.length > 0) {
      const lo = ctx.seqPosMin(s.id);
      const hi = ctx.seqPosMax(s.id);
      if (lo >= 0 && hi >= lo) kvUsed += hi - lo + 1;
    }
    const t = s.task;
    slots.push({
      state: s.state,
      cached: s.cached.length,
      prompt: t?.req.prompt.length ?? 0,
      promptDone: t?.nPast ?? 0,
      promptCached: t?.cacheN ?? 0,
      generated: t?.predicted ?? 0,
    });
  }
  board.write(
    {
      kvUsed,
      kvTotal: ctx.nCtx,
      nCtx: ctx.nCtx,
      decodes: engine?.decodes ?? 0,
      busySlots: engine?.busySlots ?? 0,
    },
    slots,
  );
}
