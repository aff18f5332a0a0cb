/**
 * String and buffer conversion between JS and C, in one place. Pointers are plain numbers and never leave
 * src/llama/ (engine objects keep them private).
 */
import { CString, type Pointer, ptr, read, toArrayBuffer } from "bun:ffi";

/** A native address as bun:ffi hands it out. */
export type Ptr = Pointer;

const enc = new TextEncoder();

/** A NUL-terminated UTF-8 copy of `s` (keep the result alive while C uses it). */
export function cstr(s: string): Buffer {
  return Buffer.from(`${s}\0`, "utf8");
}

/**
 * A C array of NUL-terminated UTF-8 strings (`const char **`). `keep` holds the strings and the array: keep
 * it referenced until C no longer reads them.
 */
export function cstrArray(strings: readonly string[]): { address: Ptr; keep: readonly unknown[] } {
  const bufs = strings.map(cstr);
  const table = new BigUint64Array(Math.max(1, bufs.length));
  bufs.forEach((b, i) => {
    table[i] = BigInt(ptr(b));
  });
  return { address: ptr(table), keep: [bufs, table] };
}

/** UTF-8 bytes of `s` without a terminator, plus the byte length. */
export function utf8(s: string): Uint8Array {
  return enc.encode(s);
}

/** The address of a JS buffer's bytes (the buffer must outlive every C use). */
export function addressOf(buf: NodeJS.TypedArray | DataView): Ptr {
  return ptr(buf);
}

/** Reads a NUL-terminated C string, or null for a NULL pointer. */
export function readCString(p: Ptr | null | number): string | null {
  if (!p) return null;
  return new CString(p as Ptr).toString();
}

/** A copy of `n` floats starting at a native address. */
export function readFloats(p: Ptr, n: number): Float32Array {
  return new Float32Array(toArrayBuffer(p, 0, n * 4).slice(0));
}

/** A zero-copy view of `n` floats at a native address, valid only until the next native call. */
export function viewFloats(p: Ptr, n: number): Float32Array {
  return new Float32Array(toArrayBuffer(p, 0, n * 4));
}

/** A zero-copy view of native bytes. */
export function viewBytes(p: Ptr, n: number): Uint8Array {
  return new Uint8Array(toArrayBuffer(p, 0, n));
}

/** Reads a pointer-sized value at `p + off`. */
export function readPointer(p: Ptr, off = 0): number {
  return Number(read.u64(p, off));
}

/**
 * A small shared cell (8 bytes: f32 progress, i32 flag) that native callbacks read and write while a
 * thread is blocked in native code. Any thread of the process may read or write it by address.
 */
export class SharedCell {
  /** Backing bytes; only the owning side allocates. */
  private readonly bytes: Uint8Array | null;
  readonly address: number;

  constructor(address?: number) {
    if (address === undefined) {
      this.bytes = new Uint8Array(8);
      this.address = ptr(this.bytes) as number;
    } else {
      this.bytes = null;
      this.address = address;
    }
  }

  private view(): DataView {
    return new DataView(toArrayBuffer(this.address as Ptr, 0, 8));
  }

  /** Load progress 0–1 written by the native loader. */
  get progress(): number {
    return this.view().getFloat32(0, true);
  }
  set progress(v: number) {
    this.view().setFloat32(0, v, true);
  }

  /** Non-zero asks the native side to abort. */
  get flag(): number {
    return this.view().getInt32(4, true);
  }
  set flag(v: number) {
    this.view().setInt32(4, v, true);
  }
}
