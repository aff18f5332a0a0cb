/**
 * Writing a response body into the parts of a partial download: bytes land at their blob offsets, bytes a
 * part already holds are skipped (a 200 answer replays the blob from its start), and a part's `done` grows
 * only after its bytes were written, so a saved state never claims bytes that are not on disk. Small network
 * chunks are gathered into 1 MiB writes.
 */
import type { FileHandle } from "node:fs/promises";
import { type PartialPart, StorageError, storageError } from "../../store/index.ts";
import { readBatches } from "./body.ts";
import { TruncatedBodyError } from "./errors.ts";
import { RetryableError } from "./source.ts";

const FLUSH_BYTES = 1 << 20;
/** Longest time gathered bytes wait before they are written. */
const IDLE_FLUSH_MS = 200;

/** What fillParts reports as it goes. */
export interface FillHooks {
  /** A chunk arrived (the stall watchdog's heartbeat). */
  onActivity(): void;
  /** `n` more bytes of the blob are on disk. */
  onWritten(n: number): void;
}

/**
 * Reads `body` (whose first byte is blob offset `start`) into the holes of `parts` (in order, owned by this
 * caller alone; bytes between them are skipped) until they are full; TruncatedBodyError when the body ends
 * first.
 */
export async function fillParts(
  fh: FileHandle,
  body: ReadableStream<Uint8Array>,
  start: number,
  parts: readonly PartialPart[],
  signal: AbortSignal,
  hooks: FillHooks,
): Promise<void> {
  const next = parts.map((p) => p.offset + p.done);
  const writer = new Writer(fh, parts, hooks);
  let pos = start;
  let pi = 0;
  const complete = () => pi >= parts.length;
  const skipFull = () => {
    while (!complete() && next[pi] === endOf(parts[pi] as PartialPart)) pi++;
  };
  skipFull();
  const batches = readBatches(body, signal);
  // One timer per flush window: gathered bytes wait at most IDLE_FLUSH_MS, so a kill or stall loses none.
  let flushDue: Promise<typeof IDLE> | undefined;
  try {
    while (!complete()) {
      const read = batches.next();
      if (writer.pending) flushDue ??= idle(IDLE_FLUSH_MS);
      let r = flushDue ? await Promise.race([read, flushDue]) : await read;
      if (r === IDLE) {
        flushDue = undefined;
        await writer.flush();
        r = await read;
      }
      if (r.done) break;
      hooks.onActivity();
      for (const chunk of r.value) {
        let c = 0;
        while (c < chunk.byteLength && !complete()) {
          const p = parts[pi] as PartialPart;
          const from = next[pi] as number;
          if (pos < from) {
            const skip = Math.min(chunk.byteLength - c, from - pos);
            c += skip;
            pos += skip;
            continue;
          }
          if (pos > from)
            throw new RetryableError(`body starts at byte ${pos}, past the ${from} still missing`);
          const n = Math.min(chunk.byteLength - c, endOf(p) - pos);
          await writer.push(pos, chunk.subarray(c, c + n), pi);
          next[pi] = from + n;
          c += n;
          pos += n;
          skipFull();
        }
      }
    }
  } catch (err) {
    // Bytes that arrived before a stall, a cut or an abort are good: keep them for the retry or resume.
    await writer.flush().catch(() => {});
    throw err;
  } finally {
    // Ends the read (cancelling the body) when the parts filled before the body did.
    void batches.return(undefined);
  }
  await writer.flush();
  if (!complete()) {
    const wanted = parts.reduce((s, p) => s + p.size, 0);
    const got = parts.reduce((s, p, i) => s + ((next[i] as number) - p.offset), 0);
    throw new TruncatedBodyError(got, wanted);
  }
}

const IDLE = Symbol("idle");

function idle(ms: number): Promise<typeof IDLE> {
  return new Promise((r) => setTimeout(r, ms, IDLE));
}

function endOf(p: PartialPart): number {
  return p.offset + p.size;
}

/** Gathers contiguous pieces and writes them at their offset, then credits the parts they belong to. */
class Writer {
  #pos = 0;
  #pieces: Uint8Array[] = [];
  #len = 0;
  #credits: [part: number, n: number][] = [];

  /** True when bytes wait to be written. */
  get pending(): boolean {
    return this.#len > 0;
  }

  constructor(
    private readonly fh: FileHandle,
    private readonly parts: readonly PartialPart[],
    private readonly hooks: FillHooks,
  ) {}

  async push(pos: number, bytes: Uint8Array, part: number): Promise<void> {
    if (this.#len > 0 && pos !== this.#pos + this.#len) await this.flush();
    if (this.#len === 0) this.#pos = pos;
    this.#pieces.push(bytes);
    this.#len += bytes.byteLength;
    const last = this.#credits.at(-1);
    if (last?.[0] === part) last[1] += bytes.byteLength;
    else this.#credits.push([part, bytes.byteLength]);
    if (this.#len >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#len === 0) return;
    await writeAt(this.fh, this.#pieces, this.#pos);
    const credits = this.#credits;
    this.#pieces = [];
    this.#len = 0;
    this.#credits = [];
    for (const [i, n] of credits) {
      (this.parts[i] as PartialPart).done += n;
      this.hooks.onWritten(n);
    }
  }
}

/** Writes `pieces` back to back at `pos` with one writev, looping on short writes. */
async function writeAt(fh: FileHandle, pieces: readonly Uint8Array[], pos: number): Promise<void> {
  let rest = [...pieces];
  let at = pos;
  try {
    while (rest.length > 0) {
      const { bytesWritten } = await fh.writev(rest, at);
      if (!(bytesWritten > 0))
        throw new StorageError("cannot write a partial download: no bytes accepted", "EIO");
      at += bytesWritten;
      rest = dropBytes(rest, bytesWritten);
    }
  } catch (err) {
    throw storageError(err, "write a partial download");
  }
}

/** `pieces` without their first `n` bytes. */
function dropBytes(pieces: Uint8Array[], n: number): Uint8Array[] {
  let left = n;
  let i = 0;
  while (i < pieces.length && left >= (pieces[i] as Uint8Array).byteLength)
    left -= (pieces[i++] as Uint8Array).byteLength;
  const rest = pieces.slice(i);
  if (left > 0 && rest.length > 0) rest[0] = (rest[0] as Uint8Array).subarray(left);
  return rest;
}
