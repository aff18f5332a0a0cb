import { randomBytes } from "node:crypto";
import { type FileHandle, open, rename, unlink } from "node:fs/promises";
import { ByteWriter } from "./encode.ts";
import { GgufBoundsError, GgufTypeError } from "./errors.ts";
import { gv } from "./typed.ts";
import { tensorByteSize } from "./types.ts";
import type { GgufTypedValue } from "./value.ts";

/** Tensor data as a sequence of chunks; may be lazy so that tensors are produced one at a time. */
export type TensorChunks = Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** A tensor to write: its header entry and a producer for exactly its bytes. */
export interface GgufTensorSource {
  name: string;
  /** ne[0..] in ggml order. */
  shape: number[];
  /** ggml type id. */
  type: number;
  /** Called once, when the tensor's data is due; must yield exactly the tensor's byte size. */
  data: () => TensorChunks;
}

/** What to write: ordered metadata and tensors. */
export interface GgufWriteSpec {
  metadata: Record<string, GgufTypedValue>;
  tensors: GgufTensorSource[];
  /** Data alignment; written as general.alignment (default 32). */
  alignment?: number;
}

const STAGE_BYTES = 4 << 20;

async function writeAll(fh: FileHandle, b: Uint8Array): Promise<void> {
  for (let off = 0; off < b.length; ) {
    const { bytesWritten } = await fh.write(b, off, b.length - off);
    off += bytesWritten;
  }
}

/** Buffers small chunks into large writes. */
class Stage {
  private buf = new Uint8Array(STAGE_BYTES);
  private used = 0;
  written = 0;

  constructor(private readonly fh: FileHandle) {}

  async push(chunk: Uint8Array): Promise<void> {
    this.written += chunk.length;
    if (chunk.length >= STAGE_BYTES) {
      await this.flush();
      await writeAll(this.fh, chunk);
      return;
    }
    if (this.used + chunk.length > STAGE_BYTES) await this.flush();
    this.buf.set(chunk, this.used);
    this.used += chunk.length;
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    await writeAll(this.fh, this.buf.subarray(0, this.used));
    // A fresh buffer: the previous one may still be referenced by the completed write.
    this.buf = new Uint8Array(STAGE_BYTES);
    this.used = 0;
  }
}

/** Encodes the header (metadata + tensor infos + padding) and each tensor's byte size. */
export function encodeHeader(spec: GgufWriteSpec): { header: Uint8Array; sizes: number[] } {
  const alignment = spec.alignment ?? 32;
  if (alignment <= 0 || (alignment & (alignment - 1)) !== 0) {
    throw new GgufBoundsError(`alignment ${alignment} is not a power of two`);
  }
  const metadata: Record<string, GgufTypedValue> = {
    ...spec.metadata,
    "general.alignment": gv.u32(alignment),
  };
  const w = new ByteWriter();
  w.bytes(new TextEncoder().encode("GGUF"));
  w.u32(3);
  w.u64(spec.tensors.length);
  w.u64(Object.keys(metadata).length);
  for (const [key, value] of Object.entries(metadata)) {
    w.str(key);
    w.value(value, key);
  }
  const sizes: number[] = [];
  let offset = 0;
  for (const t of spec.tensors) {
    const size = tensorByteSize(t.type, t.shape);
    if (size === undefined)
      throw new GgufTypeError(`tensor ${t.name}: type ${t.type} cannot hold shape ${t.shape}`);
    w.str(t.name);
    w.u32(t.shape.length);
    for (const ne of t.shape) w.u64(ne);
    w.u32(t.type);
    w.u64(offset);
    sizes.push(size);
    offset += Math.ceil(size / alignment) * alignment;
  }
  w.pad(alignment);
  return { header: w.result(), sizes };
}

/**
 * Writes a GGUF v3 file atomically (temp file + rename), streaming each tensor's data so that only
 * one chunk is in memory at a time. Returns the file size.
 */
export async function writeGguf(path: string, spec: GgufWriteSpec): Promise<number> {
  const alignment = spec.alignment ?? 32;
  const { header, sizes } = encodeHeader(spec);
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const fh = await open(tmp, "w");
  try {
    const stage = new Stage(fh);
    await stage.push(header);
    for (const [i, t] of spec.tensors.entries()) {
      const start = stage.written;
      for await (const chunk of t.data()) await stage.push(chunk);
      const got = stage.written - start;
      const size = sizes[i] as number;
      if (got !== size)
        throw new GgufBoundsError(`tensor ${t.name}: produced ${got} bytes, expected ${size}`);
      const pad = (alignment - (size % alignment)) % alignment;
      if (pad > 0) await stage.push(new Uint8Array(pad));
    }
    await stage.flush();
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
    return stage.written;
  } catch (e) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
}
