/**
 * Big request bodies are parsed off the server's thread by a small pool of reused Workers
 * (json-parse-worker.ts). A body becomes a stream to one worker, which receives the chunks as they arrive
 * (keeping 60 MB on the server's thread costs it more than parsing it there) and parses at the body's end.
 * A worker collects many bodies at once, so slow clients hold no worker. A worker that cannot start (a
 * build without its entry point) turns the pool off — callers then parse in place, and the bodies that were
 * waiting for it get their chunks back for that; a worker that dies fails only the bodies it held.
 */
import { workerEntry } from "../../worker-entry.ts";
import { ParseWorkerError } from "./errors.ts";
import { restoreStrings } from "./hoist.ts";
import type { ParseReply, ToParser } from "./json-parse-worker.ts";
import { outcomeValue } from "./parse-json.ts";

/** Pool tuning; the defaults suit the server. */
export interface ParsePoolOptions {
  /** Most workers at once (default 2). */
  size?: number;
  /** A worker with no body this long is stopped, freeing its heap (default 30 s). */
  idleMs?: number;
  /** Starts a worker; tests pass their own. */
  spawn?: () => Worker;
}

/** A body on its way to a worker: chunks in, the parsed value (or its 400) out. */
export interface WorkerStream {
  push(chunk: Uint8Array): void;
  /** The parsed body; a WorkerUnavailable (holding the chunks) when the worker never started. */
  end(maxDepth: number): Promise<unknown>;
  /** Drops the body (its read failed). */
  abort(): void;
}

/** Why a stream's body must be parsed in place after all: its worker never started. */
export class WorkerUnavailable extends Error {
  constructor(readonly chunks: Uint8Array[]) {
    super("parse worker unavailable");
  }
}

interface Slot {
  worker: Worker;
  ready: boolean;
  streams: Map<number, Stream>;
  idle?: ReturnType<typeof setTimeout>;
}

type Reply = Exclude<ParseReply, { ready: true }>;

const defaultSpawn = () =>
  new Worker(
    workerEntry("api/limits/json-parse-worker.ts", new URL("./json-parse-worker.ts", import.meta.url)),
  );

class Stream implements WorkerStream {
  /** Chunks kept until the worker runs (then transferred, not copied: Bun gives each its own buffer). */
  private pending: Uint8Array[] = [];
  private ended?: { maxDepth: number; resolve(v: unknown): void; reject(e: unknown): void };
  private failure?: Error;

  constructor(
    readonly id: number,
    private readonly slot: Slot,
    private readonly done: (s: Stream) => void,
  ) {}

  push(chunk: Uint8Array): void {
    if (this.failure instanceof WorkerUnavailable) this.failure.chunks.push(chunk);
    else if (this.failure) return;
    else if (!this.slot.ready) this.pending.push(chunk);
    else this.send(chunk);
  }

  end(maxDepth: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.failure) {
        this.done(this);
        return reject(this.failure);
      }
      this.ended = { maxDepth, resolve, reject };
      if (this.slot.ready) this.post({ kind: "end", id: this.id, maxDepth });
    });
  }

  abort(): void {
    this.pending = [];
    if (this.slot.ready && !this.failure) this.post({ kind: "abort", id: this.id });
    this.done(this);
  }

  /** The worker runs: what was kept goes to it. */
  flush(): void {
    for (const chunk of this.pending) this.send(chunk);
    this.pending = [];
    if (this.ended) this.post({ kind: "end", id: this.id, maxDepth: this.ended.maxDepth });
  }

  /** The worker's answer for this body. */
  settle(reply: Reply): void {
    const e = this.ended;
    if (!e) return;
    this.done(this);
    try {
      e.resolve(reply.ok ? restoreStrings(reply) : outcomeValue(reply, e.maxDepth));
    } catch (err) {
      e.reject(err);
    }
  }

  /** The worker is gone: a body it never received is handed back; one it held is lost. */
  fail(started: boolean): void {
    this.failure = started ? new ParseWorkerError("the worker stopped") : new WorkerUnavailable(this.pending);
    this.pending = [];
    if (this.ended) {
      this.done(this);
      this.ended.reject(this.failure);
    }
  }

  private send(chunk: Uint8Array): void {
    this.post({ kind: "chunk", id: this.id, chunk }, [chunk.buffer as ArrayBuffer]);
  }

  private post(m: ToParser, transfer: ArrayBuffer[] = []): void {
    this.slot.worker.postMessage(m, transfer);
  }
}

/** Parse workers, started on demand, shared by every request of a server. */
export class JsonParsePool {
  private readonly size: number;
  private readonly idleMs: number;
  private readonly spawn: () => Worker;
  private readonly slots: Slot[] = [];
  private nextId = 1;
  /** Set once a worker failed to start, or after dispose: no more streams. */
  private off = false;

  constructor(opts: ParsePoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? 2);
    this.idleMs = opts.idleMs ?? 30_000;
    this.spawn = opts.spawn ?? defaultSpawn;
  }

  /** A stream to the least busy worker (starting one when all are busy), or undefined: parse in place. */
  stream(): WorkerStream | undefined {
    if (this.off) return undefined;
    let slot = this.slots.reduce<Slot | undefined>(
      (a, s) => (a && a.streams.size <= s.streams.size ? a : s),
      undefined,
    );
    if ((!slot || slot.streams.size > 0) && this.slots.length < this.size) slot = this.start() ?? slot;
    if (!slot || this.off) return undefined;
    const owner = slot;
    const s = new Stream(this.nextId++, owner, (done) => this.release(owner, done));
    owner.streams.set(s.id, s);
    clearTimeout(owner.idle);
    return s;
  }

  /** Workers running or starting (for tests). */
  get workers(): number {
    return this.slots.length;
  }

  /** Stops every worker; their bodies fail, and no stream is opened after. Idempotent. */
  dispose(): void {
    this.off = true;
    for (const slot of [...this.slots]) this.drop(slot, true);
  }

  private start(): Slot | undefined {
    let worker: Worker;
    try {
      worker = this.spawn();
    } catch {
      this.off = true;
      return undefined;
    }
    worker.unref();
    const slot: Slot = { worker, ready: false, streams: new Map() };
    this.slots.push(slot);
    worker.onmessage = (ev: MessageEvent<ParseReply>) => {
      const m = ev.data;
      if ("ready" in m) {
        slot.ready = true;
        for (const s of [...slot.streams.values()]) s.flush();
      } else slot.streams.get(m.id)?.settle(m);
    };
    const gone = () => {
      if (!this.slots.includes(slot)) return;
      if (!slot.ready) this.off = true;
      this.drop(slot, slot.ready);
    };
    worker.onerror = gone;
    worker.addEventListener("close", gone);
    return slot;
  }

  private release(slot: Slot, s: Stream): void {
    slot.streams.delete(s.id);
    if (slot.streams.size > 0 || !this.slots.includes(slot)) return;
    clearTimeout(slot.idle);
    slot.idle = setTimeout(() => this.drop(slot, true), this.idleMs);
    slot.idle.unref?.();
  }

  /** Removes `slot` and stops its worker; its bodies fail (`started`: the worker had been running). */
  private drop(slot: Slot, started: boolean): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    clearTimeout(slot.idle);
    slot.worker.terminate();
    for (const s of [...slot.streams.values()]) s.fail(started);
  }
}
