import { stat } from "node:fs/promises";
import { Cursor, NeedMoreBytes } from "./cursor.ts";
import {
  GgufBoundsError,
  GgufMagicError,
  GgufTruncatedError,
  GgufTypeError,
  GgufVersionError,
} from "./errors.ts";
import { readValue } from "./read-value.ts";
import { GgufValueType, ggmlTypeInfo, ggmlTypeName } from "./types.ts";
import type { GgufTypedValue, GgufValue } from "./value.ts";

export type { GgufTypedValue, GgufValue } from "./value.ts";

/** One tensor's header entry; `offset` is absolute in the file. */
export interface GgufTensorInfo {
  name: string;
  /** ne[0..] in ggml order (ne[0] is the contiguous row length). */
  shape: number[];
  /** ggml type id. */
  type: number;
  /** Absolute byte offset of the data in the file. */
  offset: number;
  byteSize: number;
}

/** A parsed GGUF header: metadata and tensor table, no tensor data. */
export interface GgufFile {
  version: number;
  metadata: Record<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  dataOffset: number;
  fileSize: number;
}

/** A parsed header plus each metadata key's on-disk type. */
export interface GgufTypedFile {
  file: GgufFile;
  types: Map<string, Omit<GgufTypedValue, "value">>;
}

const MAGIC = 0x46554747; // "GGUF" read as little-endian uint32
const MAX_DIMS = 4;
const MAX_NAME = 64; // GGML_MAX_NAME, including the terminating NUL
const FIRST_CHUNK = 1 << 20;

function readTensorInfo(c: Cursor, index: number): Omit<GgufTensorInfo, "offset"> & { rel: bigint } {
  const name = c.str(`name of tensor ${index}`);
  if (Buffer.byteLength(name) >= MAX_NAME) throw new GgufBoundsError(`tensor name "${name}" is too long`);
  const nDims = c.u32(`dimension count of ${name}`);
  if (nDims > MAX_DIMS) throw new GgufBoundsError(`tensor ${name} has ${nDims} dimensions (max ${MAX_DIMS})`);
  const shape: number[] = [];
  for (let d = 0; d < nDims; d++) {
    const ne = c.u64Big(`shape of ${name}`);
    if (ne > BigInt(Number.MAX_SAFE_INTEGER))
      throw new GgufBoundsError(`tensor ${name} dimension ${d} is ${ne}`);
    shape.push(Number(ne));
  }
  const type = c.u32(`type of ${name}`);
  const info = ggmlTypeInfo(type);
  if (info === undefined) throw new GgufTypeError(`tensor ${name} has invalid ggml type ${type}`);
  const ne0 = shape[0] ?? 1;
  if (ne0 % info.blockSize !== 0) {
    throw new GgufBoundsError(
      `tensor ${name}: row of ${ne0} is not a multiple of ${ggmlTypeName(type)} blocks`,
    );
  }
  let elements = 1;
  for (const ne of shape) elements *= ne;
  const byteSize = (elements / info.blockSize) * info.typeSize;
  if (byteSize > c.fileSize) throw new GgufBoundsError(`tensor ${name} (${byteSize} bytes) exceeds the file`);
  return { name, shape, type, byteSize, rel: c.u64Big(`offset of ${name}`) };
}

function parseAt(bytes: Uint8Array, fileSize: number): GgufTypedFile {
  const c = new Cursor(bytes, fileSize);
  if (fileSize < 4 || c.u32("magic") !== MAGIC) throw new GgufMagicError("not a GGUF file (bad magic)");
  const version = c.u32("version");
  if (version !== 2 && version !== 3) throw new GgufVersionError(`unsupported GGUF version ${version}`);
  // Minimum encoded sizes: a tensor info is >= 24 bytes, a key/value pair >= 13.
  const nTensors = c.count("the tensor table", 24);
  const nKv = c.count("the metadata table", 13);
  const metadata: Record<string, GgufValue> = {};
  const types: GgufTypedFile["types"] = new Map();
  for (let i = 0; i < nKv; i++) {
    const key = c.str(`key ${i}`);
    if (key === "") throw new GgufBoundsError(`key ${i} is empty`);
    if (types.has(key)) throw new GgufBoundsError(`duplicate key "${key}"`);
    const { type, itemType, value } = readValue(c, key);
    // defineProperty: a key named "__proto__" must stay a plain key.
    Object.defineProperty(metadata, key, { value, enumerable: true, writable: true, configurable: true });
    types.set(key, itemType === undefined ? { type } : { type, itemType });
  }
  let alignment = 32;
  const alignType = types.get("general.alignment");
  if (alignType !== undefined) {
    if (alignType.type !== GgufValueType.UINT32)
      throw new GgufTypeError("general.alignment must be a uint32");
    alignment = metadata["general.alignment"] as number;
    if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
      throw new GgufBoundsError(`general.alignment ${alignment} is not a power of two`);
    }
  }
  const raw: ReturnType<typeof readTensorInfo>[] = [];
  const names = new Set<string>();
  for (let i = 0; i < nTensors; i++) {
    const t = readTensorInfo(c, i);
    if (names.has(t.name)) throw new GgufBoundsError(`duplicate tensor name "${t.name}"`);
    names.add(t.name);
    raw.push(t);
  }
  const dataOffset = nTensors > 0 ? Math.ceil(c.pos / alignment) * alignment : c.pos;
  if (dataOffset > fileSize) throw new GgufTruncatedError("file ends before the tensor data section");
  const tensors = raw.map(({ rel, ...t }): GgufTensorInfo => {
    if (rel % BigInt(alignment) !== 0n)
      throw new GgufBoundsError(`tensor ${t.name} offset ${rel} is misaligned`);
    if (rel > BigInt(fileSize) || dataOffset + Number(rel) + t.byteSize > fileSize) {
      throw new GgufTruncatedError(
        `tensor ${t.name} data (offset ${rel}, ${t.byteSize} bytes) lies past the file end`,
      );
    }
    return { ...t, offset: dataOffset + Number(rel) };
  });
  return { file: { version, metadata, tensors, alignment, dataOffset, fileSize }, types };
}

/** Parses a GGUF header from bytes (the whole file, or a prefix of a file of `fileSize` bytes). */
export function parseGguf(bytes: Uint8Array, fileSize: number = bytes.length): GgufFile {
  return parseGgufTyped(bytes, fileSize).file;
}

/** Like parseGguf, also returning each metadata key's on-disk type. */
export function parseGgufTyped(bytes: Uint8Array, fileSize: number = bytes.length): GgufTypedFile {
  try {
    return parseAt(bytes, Math.max(fileSize, 0));
  } catch (e) {
    if (e instanceof NeedMoreBytes) {
      throw new GgufTruncatedError(
        `header continues past the ${bytes.length} bytes supplied (to byte ${e.end})`,
      );
    }
    throw e;
  }
}

/** Reads a GGUF file's header from disk, loading only the header region (never tensor data). */
export async function readGgufTyped(path: string): Promise<GgufTypedFile> {
  const fileSize = (await stat(path)).size; // a missing file throws ENOENT, not a GGUF error
  const file = Bun.file(path);
  let chunk = Math.min(fileSize, FIRST_CHUNK);
  for (;;) {
    const bytes = new Uint8Array(await file.slice(0, chunk).arrayBuffer());
    try {
      return parseAt(bytes, fileSize);
    } catch (e) {
      if (!(e instanceof NeedMoreBytes)) throw e;
      // Grow geometrically so a multi-megabyte vocabulary costs a few re-parses, not many.
      chunk = Math.min(fileSize, Math.max(e.end + 4096, chunk * 4));
    }
  }
}

/** Reads a GGUF file's header (metadata and tensor table). */
export async function readGguf(path: string): Promise<GgufFile> {
  return (await readGgufTyped(path)).file;
}
