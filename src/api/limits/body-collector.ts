/**
 * Where a JSON body's chunks go while it is read: kept here while the body is small (parsed in place: a
 * worker round trip would cost more), streamed to a parse worker once it is big — from the first chunk when
 * Content-Length says so, else from the chunk that crosses the threshold.
 */
import type { JsonParsePool, WorkerStream } from "./json-worker.ts";
import { WorkerUnavailable } from "./json-worker.ts";
import { outcomeValue, parseJsonBytes } from "./parse-json.ts";
import { joinChunks } from "./read-body.ts";

/** Bodies of at least this many bytes are parsed in a worker (below it, parsing costs under ~10 ms). */
export const WORKER_THRESHOLD = 1024 * 1024;

function parseHere(chunks: Uint8Array[], maxDepth: number): unknown {
  const size = chunks.reduce((n, c) => n + c.byteLength, 0);
  return outcomeValue(parseJsonBytes(joinChunks({ chunks, size }), maxDepth), maxDepth);
}

/** Collects one body's chunks and parses it at the end, in place or in a worker by its size. */
export class BodyCollector {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private stream?: WorkerStream;

  constructor(
    private pool: JsonParsePool | undefined,
    private readonly threshold = WORKER_THRESHOLD,
    declared?: number,
  ) {
    if (declared !== undefined && declared >= threshold) this.open();
  }

  /** Takes the next chunk. */
  push(chunk: Uint8Array): void {
    if (this.stream) return this.stream.push(chunk);
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
    if (this.size >= this.threshold) this.open();
  }

  /** The parsed body (400 when empty, malformed or too deep). */
  async finish(maxDepth: number): Promise<unknown> {
    if (!this.stream) return parseHere(this.chunks, maxDepth);
    try {
      return await this.stream.end(maxDepth);
    } catch (e) {
      if (e instanceof WorkerUnavailable) return parseHere(e.chunks, maxDepth);
      throw e;
    }
  }

  /** Drops the body (its read failed). */
  abort(): void {
    this.stream?.abort();
    this.chunks = [];
  }

  private open(): void {
    this.stream = this.pool?.stream();
    if (!this.stream) {
      this.pool = undefined; // no worker here: keep collecting, parse in place
      return;
    }
    for (const c of this.chunks) this.stream.push(c);
    this.chunks = [];
  }
}
