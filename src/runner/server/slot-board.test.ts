import { expect, test } from "bun:test";
import { SlotBoard } from "./slot-board.ts";

test("the slot board reads back what the engine wrote, through a second view of the same memory", () => {
  const writer = SlotBoard.create(2);
  const reader = new SlotBoard(writer.buffer);
  expect(reader.read("ready").slots).toEqual([]); // nothing published yet
  writer.write({ kvUsed: 30, kvTotal: 4096, nCtx: 4096, decodes: 7, busySlots: 9 }, [
    { state: "generating", cached: 25, prompt: 20, promptDone: 20, promptCached: 4, generated: 5 },
    { state: "idle", cached: 5, prompt: 0, promptDone: 0, promptCached: 0, generated: 0 },
    { state: "prefill", cached: 1, prompt: 1, promptDone: 1, promptCached: 0, generated: 0 }, // beyond capacity
  ]);
  expect(reader.read("ready")).toEqual({
    status: "ready",
    kv_cells_used: 30,
    kv_cells_total: 4096,
    n_decode: 7,
    n_busy_slots: 9,
    slots: [
      {
        id: 0,
        state: "generating",
        n_ctx: 4096,
        cached_tokens: 25,
        prompt_tokens: 20,
        prompt_tokens_done: 20,
        prompt_tokens_cached: 4,
        generated_tokens: 5,
      },
      {
        id: 1,
        state: "idle",
        n_ctx: 4096,
        cached_tokens: 5,
        prompt_tokens: 0,
        prompt_tokens_done: 0,
        prompt_tokens_cached: 0,
        generated_tokens: 0,
      },
    ],
  });
});
