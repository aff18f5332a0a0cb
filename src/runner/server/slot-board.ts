/**
 * Slot and KV-cache state in shared memory: the engine thread writes it after every decode step, the HTTP
 * thread reads it for GET /slots without waiting on the engine (which may be inside a long decode). A
 * sequence counter (odd while a write is under way) lets a reader retry instead of seeing a half-written
 * board; numbers are float64, exact for any count a runner reaches.
 */
import type { RunnerSlots, SlotInfo } from "../protocol.ts";

const HEADER = 6; // kv used, kv total, n_decode, n_busy_slots, slot count, n_ctx
const PER_SLOT = 6; // state, cached, prompt, prompt done, prompt cached, generated
const STATES: SlotInfo["state"][] = ["idle", "prefill", "generating"];

/** What the engine reports about one slot. */
export interface SlotFacts {
  state: SlotInfo["state"];
  cached: number;
  prompt: number;
  promptDone: number;
  promptCached: number;
  generated: number;
}

/** What the engine reports after a step. */
export interface BoardFacts {
  kvUsed: number;
  kvTotal: number;
  nCtx: number;
  decodes: number;
  busySlots: number;
}

/** A view of the shared buffer; both threads build one over the same SharedArrayBuffer. */
export class SlotBoard {
  readonly #seq: Int32Array;
  readonly #data: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.#seq = new Int32Array(buffer, 0, 1);
    this.#data = new Float64Array(buffer, 8);
  }

  /** A board with room for `slots` slots. */
  static create(slots: number): SlotBoard {
    return new SlotBoard(new SharedArrayBuffer(8 + 8 * (HEADER + PER_SLOT * slots)));
  }

  /** How many slots fit. */
  get capacity(): number {
    return (this.#data.length - HEADER) / PER_SLOT;
  }

  /** Engine thread: publishes the state after a step. `slots` beyond the capacity are ignored. */
  write(facts: BoardFacts, slots: readonly SlotFacts[]): void {
    const d = this.#data;
    const n = Math.min(slots.length, this.capacity);
    Atomics.add(this.#seq, 0, 1);
    d[0] = facts.kvUsed;
    d[1] = facts.kvTotal;
    d[2] = facts.decodes;
    d[3] = facts.busySlots;
    d[4] = n;
    d[5] = facts.nCtx;
    for (let i = 0; i < n; i++) {
      const s = slots[i] as SlotFacts;
      const o = HEADER + i * PER_SLOT;
      d[o] = STATES.indexOf(s.state);
      d[o + 1] = s.cached;
      d[o + 2] = s.prompt;
      d[o + 3] = s.promptDone;
      d[o + 4] = s.promptCached;
      d[o + 5] = s.generated;
    }
    Atomics.add(this.#seq, 0, 1);
  }

  /** HTTP thread: the latest published state (retrying past a write in progress, a bounded number of times). */
  read(status: RunnerSlots["status"]): RunnerSlots {
    let snap = this.#snapshot();
    for (let i = 0; i < 100 && snap === null; i++) snap = this.#snapshot();
    const d = snap ?? this.#data.slice(); // a board written non-stop: take it as it is
    const n = d[4] as number;
    const nCtx = d[5] as number;
    const slots: SlotInfo[] = [];
    for (let i = 0; i < n; i++) {
      const o = HEADER + i * PER_SLOT;
      slots.push({
        id: i,
        state: STATES[d[o] as number] ?? "idle",
        n_ctx: nCtx,
        cached_tokens: d[o + 1] as number,
        prompt_tokens: d[o + 2] as number,
        prompt_tokens_done: d[o + 3] as number,
        prompt_tokens_cached: d[o + 4] as number,
        generated_tokens: d[o + 5] as number,
      });
    }
    return {
      status,
      kv_cells_used: d[0] as number,
      kv_cells_total: d[1] as number,
      n_decode: d[2] as number,
      n_busy_slots: d[3] as number,
      slots,
    };
  }

  /** A consistent copy, or null when a write overlapped it. */
  #snapshot(): Float64Array | null {
    const before = Atomics.load(this.#seq, 0);
    if (before % 2 !== 0) return null;
    const copy = this.#data.slice();
    return Atomics.load(this.#seq, 0) === before ? copy : null;
  }
}
