/** GGUF metadata value types, as numbered in the file format (gguf.h). */
export enum GgufValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** Byte width of each fixed-size value type; strings and arrays are variable. */
export const GGUF_VALUE_SIZE: Readonly<Record<number, number>> = {
  [GgufValueType.UINT8]: 1,
  [GgufValueType.INT8]: 1,
  [GgufValueType.UINT16]: 2,
  [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4,
  [GgufValueType.INT32]: 4,
  [GgufValueType.FLOAT32]: 4,
  [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT64]: 8,
  [GgufValueType.INT64]: 8,
  [GgufValueType.FLOAT64]: 8,
};

/** ggml tensor element types, as numbered in ggml.h. Gaps are types removed from GGUF files. */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ4_NL = 20,
  IQ3_S = 21,
  IQ2_S = 22,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  BF16 = 30,
  TQ1_0 = 34,
  TQ2_0 = 35,
  MXFP4 = 39,
  NVFP4 = 40,
  Q1_0 = 41,
  Q2_0 = 42,
}

/** Storage layout of one ggml type: elements per block and bytes per block. */
export interface GgmlTypeInfo {
  readonly name: string;
  readonly blockSize: number;
  readonly typeSize: number;
}

const QK_K = 256;

// Block sizes and byte sizes follow the block structs in ggml-common.h.
const TYPE_INFO: ReadonlyMap<number, GgmlTypeInfo> = new Map<number, GgmlTypeInfo>([
  [GgmlType.F32, { name: "F32", blockSize: 1, typeSize: 4 }],
  [GgmlType.F16, { name: "F16", blockSize: 1, typeSize: 2 }],
  [GgmlType.Q4_0, { name: "Q4_0", blockSize: 32, typeSize: 18 }],
  [GgmlType.Q4_1, { name: "Q4_1", blockSize: 32, typeSize: 20 }],
  [GgmlType.Q5_0, { name: "Q5_0", blockSize: 32, typeSize: 22 }],
  [GgmlType.Q5_1, { name: "Q5_1", blockSize: 32, typeSize: 24 }],
  [GgmlType.Q8_0, { name: "Q8_0", blockSize: 32, typeSize: 34 }],
  [GgmlType.Q8_1, { name: "Q8_1", blockSize: 32, typeSize: 36 }],
  [GgmlType.Q2_K, { name: "Q2_K", blockSize: QK_K, typeSize: 84 }],
  [GgmlType.Q3_K, { name: "Q3_K", blockSize: QK_K, typeSize: 110 }],
  [GgmlType.Q4_K, { name: "Q4_K", blockSize: QK_K, typeSize: 144 }],
  [GgmlType.Q5_K, { name: "Q5_K", blockSize: QK_K, typeSize: 176 }],
  [GgmlType.Q6_K, { name: "Q6_K", blockSize: QK_K, typeSize: 210 }],
  [GgmlType.Q8_K, { name: "Q8_K", blockSize: QK_K, typeSize: 292 }],
  [GgmlType.IQ2_XXS, { name: "IQ2_XXS", blockSize: QK_K, typeSize: 66 }],
  [GgmlType.IQ2_XS, { name: "IQ2_XS", blockSize: QK_K, typeSize: 74 }],
  [GgmlType.IQ3_XXS, { name: "IQ3_XXS", blockSize: QK_K, typeSize: 98 }],
  [GgmlType.IQ1_S, { name: "IQ1_S", blockSize: QK_K, typeSize: 50 }],
  [GgmlType.IQ4_NL, { name: "IQ4_NL", blockSize: 32, typeSize: 18 }],
  [GgmlType.IQ3_S, { name: "IQ3_S", blockSize: QK_K, typeSize: 110 }],
  [GgmlType.IQ2_S, { name: "IQ2_S", blockSize: QK_K, typeSize: 82 }],
  [GgmlType.IQ4_XS, { name: "IQ4_XS", blockSize: QK_K, typeSize: 136 }],
  [GgmlType.I8, { name: "I8", blockSize: 1, typeSize: 1 }],
  [GgmlType.I16, { name: "I16", blockSize: 1, typeSize: 2 }],
  [GgmlType.I32, { name: "I32", blockSize: 1, typeSize: 4 }],
  [GgmlType.I64, { name: "I64", blockSize: 1, typeSize: 8 }],
  [GgmlType.F64, { name: "F64", blockSize: 1, typeSize: 8 }],
  [GgmlType.IQ1_M, { name: "IQ1_M", blockSize: QK_K, typeSize: 56 }],
  [GgmlType.BF16, { name: "BF16", blockSize: 1, typeSize: 2 }],
  [GgmlType.TQ1_0, { name: "TQ1_0", blockSize: QK_K, typeSize: 54 }],
  [GgmlType.TQ2_0, { name: "TQ2_0", blockSize: QK_K, typeSize: 66 }],
  [GgmlType.MXFP4, { name: "MXFP4", blockSize: 32, typeSize: 17 }],
  [GgmlType.NVFP4, { name: "NVFP4", blockSize: 64, typeSize: 36 }],
  [GgmlType.Q1_0, { name: "Q1_0", blockSize: 128, typeSize: 18 }],
  [GgmlType.Q2_0, { name: "Q2_0", blockSize: 64, typeSize: 18 }],
]);

/** Layout of a ggml type id, or undefined for ids that are unknown or no longer valid in files. */
export function ggmlTypeInfo(type: number): GgmlTypeInfo | undefined {
  return TYPE_INFO.get(type);
}

/** Human name of a ggml type id ("Q4_0"), or `type<N>` when unknown. */
export function ggmlTypeName(type: number): string {
  return TYPE_INFO.get(type)?.name ?? `type${type}`;
}

/** Number of elements of a tensor shape (product of ne[]). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Bytes a tensor of this type and shape occupies, or undefined when the type is unknown or ne[0]
 * is not a whole number of blocks (ggml rejects such tensors).
 */
export function tensorByteSize(type: number, shape: readonly number[]): number | undefined {
  const info = TYPE_INFO.get(type);
  if (info === undefined) return undefined;
  const ne0 = shape[0] ?? 1;
  if (ne0 % info.blockSize !== 0) return undefined;
  return (elementCount(shape) / info.blockSize) * info.typeSize;
}
