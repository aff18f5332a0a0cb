import type { Cursor } from "./cursor.ts";
import { GgufTypeError } from "./errors.ts";
import { MAX_ARRAY_ITEMS } from "./limits.ts";
import { GGUF_VALUE_SIZE, GgufValueType } from "./types.ts";
import type { GgufTypedValue, GgufValue } from "./value.ts";

function readScalar(c: Cursor, type: number, what: string): GgufValue {
  switch (type) {
    case GgufValueType.UINT8:
      return c.u8(what);
    case GgufValueType.INT8:
      return c.i8(what);
    case GgufValueType.UINT16:
      return c.u16(what);
    case GgufValueType.INT16:
      return c.i16(what);
    case GgufValueType.UINT32:
      return c.u32(what);
    case GgufValueType.INT32:
      return c.i32(what);
    case GgufValueType.FLOAT32:
      return c.f32(what);
    case GgufValueType.BOOL:
      return c.u8(what) !== 0;
    case GgufValueType.STRING:
      return c.str(what);
    case GgufValueType.UINT64:
      return c.u64(what);
    case GgufValueType.INT64:
      return c.i64(what);
    case GgufValueType.FLOAT64:
      return c.f64(what);
    default:
      throw new GgufTypeError(`${what} has invalid value type ${type}`);
  }
}

/** Reads one metadata value (type tag, then the scalar or array) for `key`. */
export function readValue(c: Cursor, key: string): GgufTypedValue {
  const type = c.u32(`type of ${key}`);
  if (type !== GgufValueType.ARRAY) return { type, value: readScalar(c, type, key) };
  const itemType = c.u32(`item type of ${key}`);
  if (itemType === GgufValueType.ARRAY) throw new GgufTypeError(`${key}: arrays of arrays are not supported`);
  const unit = itemType === GgufValueType.STRING ? 8 : GGUF_VALUE_SIZE[itemType];
  if (unit === undefined) throw new GgufTypeError(`${key} has invalid array item type ${itemType}`);
  const n = c.count(key, unit, MAX_ARRAY_ITEMS);
  const value: GgufValue[] = new Array(n);
  for (let i = 0; i < n; i++) value[i] = readScalar(c, itemType, key);
  return { type, itemType, value };
}
