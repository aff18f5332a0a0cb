/**
 * Reading a request body under the body limits: the declared Content-Length is refused before anything is
 * read, the bytes are counted as they arrive (a chunked body is cut off at the limit), and a pause between
 * chunks longer than the body timeout ends the read. On any failure the stream is cancelled, so the
 * chunks read so far are dropped and no read stays pending. The chunks are returned as they came: a big
 * body goes to a parse worker in pieces (joining 60 MB costs the server's thread ~0.3 s), and the read loop
 * yields to the event loop every few MiB, since chunks already received resolve without a pause.
 */
import { BodyTimeoutError, BodyTooLargeError } from "./errors.ts";

/** The limits a read runs under. */
export interface ReadLimits {
  /** Most bytes the body may have. */
  maxBytes: number;
  /** Longest wait for the next chunk in ms; 0 waits forever. */
  pauseMs: number;
}

/** The body's declared length, or undefined when it has none (chunked) or it is malformed. */
export function declaredLength(headers: Headers): number | undefined {
  const v = headers.get("content-length");
  if (v === null || !/^\s*\d+\s*$/.test(v)) return undefined;
  return Number(v);
}

/** The reader calls used here (Bun's reader types add overloads that get in the way). */
interface Reader {
  read(): Promise<Chunk>;
  cancel(reason?: unknown): Promise<void>;
}
type Chunk = { done: true; value?: undefined } | { done: false; value: Uint8Array };

/** What `read` resolves to, or a BodyTimeoutError when it takes longer than `timeoutMs` (0: no limit). */
export function withinBodyTimeout<T>(read: Promise<T>, timeoutMs: number): Promise<T> {
  if (timeoutMs <= 0) return read;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BodyTimeoutError(timeoutMs)), timeoutMs);
  });
  return Promise.race([read, late]).finally(() => clearTimeout(timer));
}

/** Bytes read between two yields to the event loop. */
const YIELD_EVERY = 4 * 1024 * 1024;

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A body as received: its chunks in order and their total size. */
export interface BodyChunks {
  chunks: Uint8Array[];
  size: number;
}

/** The chunks joined into one buffer. */
export function joinChunks({ chunks, size }: BodyChunks): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Reads `body` under `limits`, handing each chunk to `take` as it arrives; the body's size. `declared` is its
 * Content-Length when known. On failure the stream is cancelled and the error thrown (chunks already taken
 * are the taker's to drop).
 */
export async function readBody(
  body: ReadableStream<Uint8Array> | null,
  limits: ReadLimits,
  take: (chunk: Uint8Array) => void,
  declared?: number,
): Promise<number> {
  if (declared !== undefined && declared > limits.maxBytes)
    throw new BodyTooLargeError(limits.maxBytes, declared);
  if (body === null) return 0;
  const reader = body.getReader() as unknown as Reader;
  let total = 0;
  let sinceYield = 0;
  try {
    for (;;) {
      const r = await withinBodyTimeout(reader.read(), limits.pauseMs);
      if (r.done) break;
      total += r.value.byteLength;
      if (total > limits.maxBytes) throw new BodyTooLargeError(limits.maxBytes);
      take(r.value);
      sinceYield += r.value.byteLength;
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await tick();
      }
    }
  } catch (e) {
    // Cancelling settles the read still pending after a timeout and tells the server to stop receiving.
    reader.cancel().catch(() => {});
    throw e;
  }
  return total;
}

/** Reads `body` whole under `limits` into its chunks. */
export async function readAll(
  body: ReadableStream<Uint8Array> | null,
  limits: ReadLimits,
  declared?: number,
): Promise<BodyChunks> {
  const chunks: Uint8Array[] = [];
  const size = await readBody(body, limits, (c) => chunks.push(c), declared);
  return { chunks, size };
}
