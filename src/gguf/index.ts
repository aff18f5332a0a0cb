/** Pure-TypeScript GGUF: header reader and validation, streaming writer, ggml types and reference quantizers. */
export * from "./errors.ts";
export * from "./metadata.ts";
export { f16Bits, f16ToF32, encodeF16 } from "./half.ts";
export { dequantizeQ4_0, dequantizeQ8_0, quantizeQ4_0, quantizeQ8_0 } from "./quant.ts";
export {
  type GgufFile,
  type GgufTensorInfo,
  type GgufTypedFile,
  type GgufTypedValue,
  type GgufValue,
  parseGguf,
  parseGgufTyped,
  readGguf,
  readGgufTyped,
} from "./reader.ts";
export { gv } from "./typed.ts";
export {
  type GgufKind,
  ggufKind,
  ggufProblems,
  readValidGguf,
  storedModelError,
  validateGguf,
  validateStoredGguf,
} from "./validate.ts";
export * from "./types.ts";
export { type GgufTensorSource, type GgufWriteSpec, type TensorChunks, writeGguf } from "./writer.ts";
