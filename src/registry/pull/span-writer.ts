/**
 * The transfer worker's write side for one request: a body whose first byte is at blob offset `start` goes
 * into the holes of its parts (bytes a part already holds are skipped: a 200 answer replays the blob from its
 * start), gathered into ≥ 1 MiB `writev` batches, and credited per part only once written, so a saved state
 * never claims bytes that are not on disk.
 */
import { writevSync } from "node:fs";

/** A part of the blob as the worker sees it: `done` bytes from `offset` are already on disk. */
export interface SpanPart {
  readonly offset: number;
  readonly size: number;
  readonly done: number;
}

/** A body that does not line up with the parts (retried by the download). */
export class BadBodyError extends Error {}

/** `[index into the parts, bytes]`. */
export type Credit = [part: number, bytes: number];

const WRITE_BYTES = 1 << 20;
/** Credits are handed over once this many bytes or this much time gathered (and always at the end). */
const POST_BYTES = 4 << 20;
const POST_MS = 100;

/** Writes one request's body into its parts through the file descriptor `fd`. */
export class SpanWriter {
  readonly #next: number[];
  #pos: number;
  #pi = 0;
  #pieces: Uint8Array[] = [];
  #pieceAt = 0;
  #pending = 0;
  #gathered: Credit[] = [];
  #credits: Credit[] = [];
  #unposted = 0;
  #lastPost = Date.now();
  /** When bytes were last written (the idle flush waits on it). */
  lastWrite = Date.now();

  constructor(
    private readonly fd: number,
    private readonly parts: readonly SpanPart[],
    start: number,
  ) {
    this.#next = parts.map((p) => p.offset + p.done);
    this.#pos = start;
    this.#skipFull();
  }

  /** True once every part is full (written or gathered). */
  get complete(): boolean {
    return this.#pi >= this.parts.length;
  }

  /** True when bytes wait to be written or credits to be handed over. */
  get unsettled(): boolean {
    return this.#pending > 0 || this.#credits.length > 0;
  }

  /** Takes the next chunk of the body; writes when a batch is full. */
  take(chunk: Uint8Array): void {
    let c = 0;
    while (c < chunk.byteLength && !this.complete) {
      const run = this.run();
      const n = Math.min(chunk.byteLength - c, run.n);
      if (!run.skip) {
        if (this.#pending > 0 && this.#pos !== this.#pieceAt + this.#pending) this.write();
        if (this.#pending === 0) this.#pieceAt = this.#pos;
        this.#pieces.push(chunk.subarray(c, c + n));
        this.#pending += n;
        add(this.#gathered, this.#pi, n);
      }
      this.#advance(n);
      c += n;
    }
    if (this.#pending >= WRITE_BYTES) this.write();
  }

  /** Where the body's next byte goes in the blob. */
  get position(): number {
    return this.#pos;
  }

  /**
   * The body's next run from `position` (call while not complete): `n` bytes the parts already hold (`skip`)
   * or `n` bytes to write there. Throws BadBodyError when the body starts past a byte still missing.
   */
  run(): { skip: boolean; n: number } {
    const p = this.parts[this.#pi] as SpanPart;
    const from = this.#next[this.#pi] as number;
    if (this.#pos < from) return { skip: true, n: from - this.#pos };
    if (this.#pos > from)
      throw new BadBodyError(`body starts at byte ${this.#pos}, past the ${from} still missing`);
    return { skip: false, n: p.offset + p.size - this.#pos };
  }

  /** `n` bytes of a skip run were read and dropped. */
  skipped(n: number): void {
    this.#advance(n);
  }

  /** `n` bytes of a write run were written at `position` by the caller (credited now). */
  wrote(n: number): void {
    this.lastWrite = Date.now();
    this.#credit(this.#pi, n);
    this.#advance(n);
  }

  /** `n` bytes of part `pi` are on disk. */
  #credit(pi: number, n: number): void {
    add(this.#credits, pi, n);
    this.#unposted += n;
  }

  #advance(n: number): void {
    if (this.#pos === this.#next[this.#pi]) this.#next[this.#pi] = this.#pos + n;
    this.#pos += n;
    this.#skipFull();
  }

  /** Writes what was gathered (one writev, looping on short writes), then credits it. */
  write(): void {
    if (this.#pending === 0) return;
    let rest = this.#pieces;
    let at = this.#pieceAt;
    const gathered = this.#gathered;
    this.#pieces = [];
    this.#pending = 0;
    this.#gathered = [];
    while (rest.length > 0) {
      let n = writevSync(this.fd, rest, at);
      if (!(n > 0)) throw Object.assign(new Error("no bytes accepted"), { code: "EIO", syscall: "writev" });
      at += n;
      let i = 0;
      while (i < rest.length && n >= (rest[i] as Uint8Array).byteLength)
        n -= (rest[i++] as Uint8Array).byteLength;
      rest = rest.slice(i);
      if (n > 0) rest[0] = (rest[0] as Uint8Array).subarray(n);
    }
    this.lastWrite = Date.now();
    // Credited only now: bytes a failed write left out are never claimed.
    for (const [pi, n] of gathered) this.#credit(pi, n);
  }

  /** The credits to hand over now, when enough gathered or enough time passed (written first); else none. */
  due(): Credit[] | undefined {
    if (this.#unposted + this.#pending < POST_BYTES && Date.now() - this.#lastPost < POST_MS)
      return undefined;
    this.write();
    return this.settle();
  }

  /** Every credit not handed over yet (call after `write`). */
  settle(): Credit[] | undefined {
    if (this.#credits.length === 0) return undefined;
    const out = this.#credits;
    this.#credits = [];
    this.#unposted = 0;
    this.#lastPost = Date.now();
    return out;
  }

  /** Bytes the parts hold (written or gathered) and bytes they span. */
  filled(): { got: number; wanted: number } {
    const wanted = this.parts.reduce((s, p) => s + p.size, 0);
    const got = this.parts.reduce((s, p, i) => s + ((this.#next[i] as number) - p.offset), 0);
    return { got, wanted };
  }

  #skipFull(): void {
    const { parts } = this;
    while (!this.complete) {
      const p = parts[this.#pi] as SpanPart;
      if (this.#next[this.#pi] !== p.offset + p.size) return;
      this.#pi++;
    }
  }
}

function add(list: Credit[], part: number, n: number): void {
  const last = list.at(-1);
  if (last?.[0] === part) last[1] += n;
  else list.push([part, n]);
}
