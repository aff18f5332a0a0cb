import { stat } from "node:fs/promises";
import { Cursor, NeedMoreBytes } from "./cursor.ts";
import {
  GgufBoundsError,
  GgufMagicError,
  GgufTruncatedError,
  GgufTypeError,
  GgufVersionError,
} from "./errors.ts";
import { MAX_DIMS, MAX_HEADER_BYTES, MAX_KV_COUNT, MAX_TENSOR_COUNT, MAX_TENSOR_NAME } from "./limits.ts";
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

/** A metadata key's on-disk type (and item type for arrays). */
export type GgufKeyType = Omit<GgufTypedValue, "value">;

/** A parsed GGUF header: metadata and tensor table, no tensor data. */
export interface GgufFile {
  version: number;
  metadata: Record<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  dataOffset: number;
  fileSize: number;
  /** Each key's on-disk type, when the file was read by this reader (validation checks types with it). */
  types?: ReadonlyMap<string, GgufKeyType>;
}

/** A parsed header plus each metadata key's on-disk type. */
export interface GgufTypedFile {
  file: GgufFile;
  types: Map<string, GgufKeyType>;
}

const MAGIC = 0x46554747; // "GGUF" read as little-endian uint32
// Most headers (a 150k-token vocabulary with its merges is ~7 MiB) parse from the first read; re-parsing
// from the start for every growth step costs more than reading a few MiB that are not needed.
const FIRST_CHUNK = 8 << 20;
const INT64_SIGN = 1n << 63n;

function readTensorInfo(c: Cursor, index: number): Omit<GgufTensorInfo, "offset"> & { rel: bigint } {
  // The length is checked against the limit before the name's bytes are read.
  const name = c.str(`name of tensor ${index}`, MAX_TENSOR_NAME);
  if (Buffer.byteLength(name) >= MAX_TENSOR_NAME) {
    throw new GgufBoundsError(`tensor ${index} name is longer than ${MAX_TENSOR_NAME - 1} bytes`);
  }
  const nDims = c.u32(`dimension count of ${name}`);
  if (nDims > MAX_DIMS) {
    throw new GgufBoundsError(`tensor '${name}' has ${nDims} dimensions (ggml allows at most ${MAX_DIMS})`);
  }
  const shape: number[] = [];
  for (let d = 0; d < nDims; d++) {
    const ne = c.u64Big(`shape of ${name}`);
    // ne is an int64 in ggml: a value with the top bit set is negative.
    if (ne >= INT64_SIGN) throw new GgufBoundsError(`tensor '${name}' dimension ${d} is negative`);
    if (ne > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new GgufBoundsError(`tensor '${name}' dimension ${d} is ${ne}, too large for any file`);
    }
    shape.push(Number(ne));
  }
  const type = c.u32(`type of ${name}`);
  const info = ggmlTypeInfo(type);
  if (info === undefined) throw new GgufTypeError(`tensor '${name}' has invalid ggml type ${type}`);
  const ne0 = shape[0] ?? 1;
  if (ne0 % info.blockSize !== 0) {
    throw new GgufBoundsError(
      `tensor '${name}': row of ${ne0} elements is not a multiple of the ${ggmlTypeName(type)} block size (${info.blockSize})`,
    );
  }
  let elements = 1;
  for (const ne of shape) elements *= ne;
  const byteSize = (elements / info.blockSize) * info.typeSize;
  if (byteSize > c.fileSize) {
    throw new GgufBoundsError(
      `tensor '${name}' needs ${byteSize} bytes of data, more than the whole file (${c.fileSize} bytes)`,
    );
  }
  return { name, shape, type, byteSize, rel: c.u64Big(`offset of ${name}`) };
}

/** Absolute placement of each tensor, checked against the alignment and the end of the file. */
function placeTensors(
  raw: ReturnType<typeof readTensorInfo>[],
  dataOffset: number,
  alignment: number,
  fileSize: number,
): GgufTensorInfo[] {
  return raw.map(({ rel, ...t }): GgufTensorInfo => {
    if (rel % BigInt(alignment) !== 0n) {
      throw new GgufBoundsError(
        `tensor '${t.name}' data offset ${rel} is not a multiple of the alignment (${alignment})`,
      );
    }
    const end = BigInt(dataOffset) + rel + BigInt(t.byteSize);
    if (end > BigInt(fileSize)) {
      throw new GgufTruncatedError(
        `tensor '${t.name}' data ends at byte ${end}, past the end of the file (${fileSize} bytes)`,
      );
    }
    return { ...t, offset: dataOffset + Number(rel) };
  });
}

function parseAt(bytes: Uint8Array, fileSize: number): GgufTypedFile {
  const c = new Cursor(bytes, fileSize);
  if (fileSize < 4 || c.u32("magic") !== MAGIC) throw new GgufMagicError("not a GGUF file (bad magic)");
  const version = c.u32("version");
  if (version !== 2 && version !== 3) throw new GgufVersionError(`unsupported GGUF version ${version}`);
  // Minimum encoded sizes: a tensor info is >= 24 bytes, a key/value pair >= 13.
  const nTensors = c.count("the tensor table", 24, MAX_TENSOR_COUNT);
  const nKv = c.count("the metadata table", 13, MAX_KV_COUNT);
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
    if (names.has(t.name)) throw new GgufBoundsError(`duplicate tensor name '${t.name}'`);
    names.add(t.name);
    raw.push(t);
  }
  const dataOffset = nTensors > 0 ? Math.ceil(c.pos / alignment) * alignment : c.pos;
  if (dataOffset > fileSize) throw new GgufTruncatedError("file ends before the tensor data section");
  const tensors = placeTensors(raw, dataOffset, alignment, fileSize);
  return { file: { version, metadata, tensors, alignment, dataOffset, fileSize, types }, types };
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
      // Grow geometrically so a multi-megabyte vocabulary costs a few re-parses, not many; the cursor
      // never asks past MAX_HEADER_BYTES, so neither does this.
      chunk = Math.min(fileSize, MAX_HEADER_BYTES, Math.max(e.end + 4096, chunk * 4));
    }
  }
}

/** Reads a GGUF file's header (metadata and tensor table). */
export async function readGguf(path: string): Promise<GgufFile> {
  return (await readGgufTyped(path)).file;
}
