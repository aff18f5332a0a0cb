/**
 * Saving a partial download's state often enough that a killed process re-fetches little: after every 32 MiB
 * (a few percent of a large blob; each save is a file write and a rename on the server's thread, and at 8 MiB
 * they were a fifth of that thread's time during a fast pull), and at most half a second after any byte (so a
 * stalled transfer's last bytes are on record too), one save at a time, without slowing the transfer down.
 */
import type { PartialBlob, PartialState } from "../../store/index.ts";

const EVERY_BYTES = 32 << 20;
const EVERY_MS = 500;

/** Coalesced saves of one live state object (its parts change as bytes are written). */
export class Checkpoint {
  #unsaved = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #saving: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #error: unknown;

  constructor(
    private readonly partial: PartialBlob,
    private readonly state: PartialState,
  ) {}

  /** `n` more bytes are on disk; saves when enough has changed, or soon. */
  note(n: number): void {
    this.#unsaved += n;
    if (this.#unsaved >= EVERY_BYTES) this.#save();
    else this.#timer ??= setTimeout(() => this.#save(), EVERY_MS);
  }

  /** Waits for the save in flight, then saves the latest state; throws a failed save's error. */
  async flush(): Promise<void> {
    await this.stop();
    if (this.#error !== undefined) throw this.#error;
    await this.partial.save(this.state);
  }

  /** No more saves (the partial is about to be committed or removed); waits for the one in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#saving) await this.#saving;
  }

  #save(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped) return;
    if (this.#saving) {
      this.#again = true;
      return;
    }
    this.#unsaved = 0;
    this.#saving = this.partial
      .save(this.state)
      .catch((err) => {
        this.#error ??= err;
      })
      .finally(() => {
        this.#saving = undefined;
        if (this.#again) {
          this.#again = false;
          this.#save();
        }
      });
  }
}
