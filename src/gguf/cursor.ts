import { GgufBoundsError, GgufTruncatedError } from "./errors.ts";

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
 * file size (past it: truncated) and then against the loaded prefix (past it: ask for more bytes).
 */
export class Cursor {
  pos = 0;
  private readonly view: DataView;
  // Buffer#toString is faster than a TextDecoder call for the many short strings of a vocabulary.
  private readonly buf: Buffer;

  constructor(
    private readonly bytes: Uint8Array,
    readonly fileSize: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes of the file after the current position. */
  remaining(): number {
    return this.fileSize - this.pos;
  }

  /** Ensures `n` more bytes can be read. */
  need(n: number, what: string): void {
    const end = this.pos + n;
    if (end > this.fileSize) {
      throw new GgufTruncatedError(`file ends at byte ${this.fileSize} while reading ${what} at ${this.pos}`);
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

  /** A count or length that must fit in the rest of the file at `unit` bytes per item. */
  count(what: string, unit: number): number {
    const n = this.u64Big(what);
    const fits = BigInt(this.remaining()) / BigInt(Math.max(1, unit));
    if (n > fits) {
      throw new GgufBoundsError(`length ${n} of ${what} at byte ${this.pos - 8} does not fit in the file`);
    }
    return Number(n);
  }

  /** A length-prefixed UTF-8 string. */
  str(what: string): string {
    const len = this.count(what, 1);
    this.need(len, what);
    const start = this.pos;
    this.pos += len;
    return this.buf.toString("utf8", start, this.pos);
  }
}
