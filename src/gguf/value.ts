import type { GgufValueType } from "./types.ts";

/** A metadata value as read from a GGUF file; uint64/int64 are bigint only beyond 2^53. */
export type GgufValue = number | bigint | boolean | string | GgufValue[];

/** A metadata value with its on-disk type (needed to write it back unchanged). */
export interface GgufTypedValue {
  type: GgufValueType;
  value: GgufValue;
  /** Element type when `type` is ARRAY. */
  itemType?: GgufValueType;
}
