import { GgufBoundsError, GgufTruncatedError } from "./errors.ts";
import { MAX_HEADER_BYTES } from "./limits.ts";

/** Thrown (internally) when the parse needs bytes beyond the loaded prefix but inside the file. */
export class NeedMoreBytes extends Error {
  constructor(readonly end: number) {
    super(`need bytes up to ${end}`);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/**
 * Little-endian reader over a loaded prefix of a file. Every read is checked first against the real
 * file size (past it: truncated), then against the header limit (past it: refused, so a lying length
 * never makes the caller load gigabytes), then against the loaded prefix (past it: ask for more bytes).
 */
export class Cursor {
  pos = 0;
  private readonly view: DataView;
  // Buffer#toString is faster than a TextDecoder call for the many short strings of a vocabulary.
  private readonly buf: Buffer;
  /** The header may not extend past this byte. */
  private readonly limit: number;

  constructor(
    private readonly bytes: Uint8Array,
    readonly fileSize: number,
    headerLimit: number = MAX_HEADER_BYTES,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.limit = Math.min(fileSize, headerLimit);
  }

  /** Header bytes that may still be read after the current position. */
  remaining(): number {
    return this.limit - this.pos;
  }

  /** Ensures `n` more bytes can be read. */
  need(n: number, what: string): void {
    const end = this.pos + n;
    if (end > this.fileSize) {
      throw new GgufTruncatedError(`file ends at byte ${this.fileSize} while reading ${what} at ${this.pos}`);
    }
    if (end > this.limit) {
      throw new GgufBoundsError(
        `header is larger than the reader's limit of ${this.limit} bytes (reading ${what} at byte ${this.pos})`,
      );
    }
    if (end > this.bytes.length) throw new NeedMoreBytes(end);
  }

  /** Reads a uint8. */
  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.pos++);
  }

  /** Reads an int8. */
  i8(what: string): number {
    this.need(1, what);
    return this.view.getInt8(this.pos++);
  }

  /** Reads a uint16. */
  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  /** Reads an int16. */
  i16(what: string): number {
    this.need(2, what);
    const v = this.view.getInt16(this.pos, true);
    this.pos += 2;
    return v;
  }

  /** Reads a uint32. */
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Reads an int32. */
  i32(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Reads a float32. */
  f32(what: string): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Reads a float64. */
  f64(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** uint64 as a bigint, unconverted. */
  u64Big(what: string): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** uint64 as a number when it is safe, else a bigint. */
  u64(what: string): number | bigint {
    const v = this.u64Big(what);
    return v <= MAX_SAFE ? Number(v) : v;
  }

  /** int64 as a number when it is safe, else a bigint. */
  i64(what: string): number | bigint {
    this.need(8, what);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
  }

  /**
   * A count or length that must fit in the rest of the header at `unit` bytes per item and be at most
   * `max`: checked before anything is allocated for it.
   */
  count(what: string, unit: number, max: number = Number.MAX_SAFE_INTEGER): number {
    const at = this.pos;
    this.need(8, what);
    // Two uint32 words instead of a bigint: this runs once per string of a vocabulary. Beyond 2^53 the sum is
    // inexact, but then it is far past any header and fails the checks below anyway.
    const lo = this.view.getUint32(at, true);
    const hi = this.view.getUint32(at + 4, true);
    this.pos += 8;
    const n = hi * 4294967296 + lo;
    const exact = () => (BigInt(hi) << 32n) | BigInt(lo);
    if (n > Math.floor(this.remaining() / Math.max(1, unit))) {
      const room = this.limit < this.fileSize ? "header limit" : "file";
      throw new GgufBoundsError(
        `length ${exact()} of ${what} at byte ${at} does not fit in the ${room} (${this.remaining()} bytes left)`,
      );
    }
    if (n > max) throw new GgufBoundsError(`${what} claims ${exact()} items at byte ${at} (limit ${max})`);
    return n;
  }

  /** A length-prefixed UTF-8 string of at most `max` bytes. */
  str(what: string, max?: number): string {
    const len = this.count(what, 1, max);
    this.need(len, what);
    const start = this.pos;
    this.pos += len;
    return this.buf.toString("utf8", start, this.pos);
  }
}
