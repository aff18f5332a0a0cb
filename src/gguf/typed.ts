import { GgufValueType } from "./types.ts";
import type { GgufTypedValue, GgufValue } from "./value.ts";

/** Builders for typed metadata values, so the writer knows each value's on-disk type. */
export const gv = {
  /** uint8 value. */
  u8: (value: number): GgufTypedValue => ({ type: GgufValueType.UINT8, value }),
  /** int8 value. */
  i8: (value: number): GgufTypedValue => ({ type: GgufValueType.INT8, value }),
  /** uint16 value. */
  u16: (value: number): GgufTypedValue => ({ type: GgufValueType.UINT16, value }),
  /** int16 value. */
  i16: (value: number): GgufTypedValue => ({ type: GgufValueType.INT16, value }),
  /** uint32 value. */
  u32: (value: number): GgufTypedValue => ({ type: GgufValueType.UINT32, value }),
  /** int32 value. */
  i32: (value: number): GgufTypedValue => ({ type: GgufValueType.INT32, value }),
  /** float32 value. */
  f32: (value: number): GgufTypedValue => ({ type: GgufValueType.FLOAT32, value }),
  /** float64 value. */
  f64: (value: number): GgufTypedValue => ({ type: GgufValueType.FLOAT64, value }),
  /** uint64 value. */
  u64: (value: number | bigint): GgufTypedValue => ({ type: GgufValueType.UINT64, value }),
  /** int64 value. */
  i64: (value: number | bigint): GgufTypedValue => ({ type: GgufValueType.INT64, value }),
  /** boolean value. */
  bool: (value: boolean): GgufTypedValue => ({ type: GgufValueType.BOOL, value }),
  /** string value. */
  str: (value: string): GgufTypedValue => ({ type: GgufValueType.STRING, value }),
  /** Array whose elements all have type `itemType`. */
  array: (itemType: GgufValueType, value: GgufValue[]): GgufTypedValue => ({
    type: GgufValueType.ARRAY,
    itemType,
    value,
  }),
};
