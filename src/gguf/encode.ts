import { GgufBoundsError, GgufTypeError } from "./errors.ts";
import { GgufValueType } from "./types.ts";
import type { GgufTypedValue, GgufValue } from "./value.ts";

const encoder = new TextEncoder();

const INT_RANGES: Readonly<Record<number, readonly [number, number]>> = {
  [GgufValueType.UINT8]: [0, 0xff],
  [GgufValueType.INT8]: [-0x80, 0x7f],
  [GgufValueType.UINT16]: [0, 0xffff],
  [GgufValueType.INT16]: [-0x8000, 0x7fff],
  [GgufValueType.UINT32]: [0, 0xffffffff],
  [GgufValueType.INT32]: [-0x80000000, 0x7fffffff],
};

/** Growable little-endian byte buffer for GGUF headers. */
export class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  /** Bytes written so far. */
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Appends raw bytes. */
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Appends a uint32. */
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  /** Appends a uint64. */
  u64(v: number | bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }

  /** Appends a length-prefixed UTF-8 string. */
  str(s: string): void {
    // Encoded straight into the buffer: a vocabulary is one string per token, and a temporary array each adds up.
    this.reserve(8 + s.length * 3);
    const { written } = encoder.encodeInto(s, this.buf.subarray(this.length + 8));
    this.view.setUint32(this.length, written, true);
    this.view.setUint32(this.length + 4, 0, true);
    this.length += 8 + written;
  }

  /** Appends zero bytes up to a multiple of `alignment`. */
  pad(alignment: number): void {
    const n = (alignment - (this.length % alignment)) % alignment;
    this.reserve(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }

  /** Appends one scalar of the given type. */
  scalar(type: GgufValueType, v: GgufValue, key: string): void {
    const range = INT_RANGES[type];
    if (range !== undefined) {
      if (typeof v !== "number" || !Number.isInteger(v) || v < range[0] || v > range[1]) {
        throw new GgufBoundsError(`${key}: ${String(v)} is not a valid ${GgufValueType[type]}`);
      }
    }
    this.reserve(8);
    const at = this.length;
    switch (type) {
      case GgufValueType.UINT8:
      case GgufValueType.INT8:
        this.view.setUint8(at, (v as number) & 0xff);
        this.length += 1;
        return;
      case GgufValueType.UINT16:
      case GgufValueType.INT16:
        this.view.setUint16(at, (v as number) & 0xffff, true);
        this.length += 2;
        return;
      case GgufValueType.UINT32:
      case GgufValueType.INT32:
        this.view.setUint32(at, (v as number) >>> 0, true);
        this.length += 4;
        return;
      case GgufValueType.FLOAT32:
      case GgufValueType.FLOAT64:
        if (typeof v !== "number") throw new GgufTypeError(`${key}: ${String(v)} is not a number`);
        if (type === GgufValueType.FLOAT32) this.view.setFloat32(at, v, true);
        else this.view.setFloat64(at, v, true);
        this.length += type === GgufValueType.FLOAT32 ? 4 : 8;
        return;
      case GgufValueType.BOOL:
        if (typeof v !== "boolean") throw new GgufTypeError(`${key}: ${String(v)} is not a boolean`);
        this.view.setUint8(at, v ? 1 : 0);
        this.length += 1;
        return;
      case GgufValueType.UINT64:
      case GgufValueType.INT64:
        this.int64(type, v, key);
        return;
      case GgufValueType.STRING:
        if (typeof v !== "string") throw new GgufTypeError(`${key}: ${String(v)} is not a string`);
        this.str(v);
        return;
      default:
        throw new GgufTypeError(`${key}: invalid value type ${type}`);
    }
  }

  private int64(type: GgufValueType, v: GgufValue, key: string): void {
    if (typeof v !== "bigint" && !(typeof v === "number" && Number.isInteger(v))) {
      throw new GgufTypeError(`${key}: ${String(v)} is not an integer`);
    }
    const b = BigInt(v);
    const unsigned = type === GgufValueType.UINT64;
    const ok = unsigned ? b >= 0n && b < 1n << 64n : b >= -(1n << 63n) && b < 1n << 63n;
    if (!ok) throw new GgufBoundsError(`${key}: ${b} is out of range for ${GgufValueType[type]}`);
    if (unsigned) this.view.setBigUint64(this.length, b, true);
    else this.view.setBigInt64(this.length, b, true);
    this.length += 8;
  }

  /** Appends a typed value (type tag included), as a metadata entry's value. */
  value(t: GgufTypedValue, key: string): void {
    this.u32(t.type);
    if (t.type !== GgufValueType.ARRAY) return this.scalar(t.type, t.value, key);
    if (t.itemType === undefined || t.itemType === GgufValueType.ARRAY) {
      throw new GgufTypeError(`${key}: arrays need a scalar item type`);
    }
    if (!Array.isArray(t.value)) throw new GgufTypeError(`${key}: array value expected`);
    this.u32(t.itemType);
    this.u64(t.value.length);
    for (const item of t.value) this.scalar(t.itemType, item, key);
  }

  /** The bytes written so far. */
  result(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
