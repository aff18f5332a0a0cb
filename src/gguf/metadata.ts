import type { GgufFile, GgufValue } from "./reader.ts";

/** A string metadata value, or undefined when absent or not a string. */
export function getString(file: GgufFile, key: string): string | undefined {
  const v = file.metadata[key];
  return typeof v === "string" ? v : undefined;
}

/** A numeric metadata value (bigint converted when it fits), or undefined. */
export function getNumber(file: GgufFile, key: string): number | undefined {
  const v = file.metadata[key];
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return undefined;
}

/** A boolean metadata value, or undefined. */
export function getBool(file: GgufFile, key: string): boolean | undefined {
  const v = file.metadata[key];
  return typeof v === "boolean" ? v : undefined;
}

/** An array metadata value, or undefined. */
export function getArray(file: GgufFile, key: string): GgufValue[] | undefined {
  const v = file.metadata[key];
  return Array.isArray(v) ? v : undefined;
}

/** The model's architecture (`general.architecture`), or undefined. */
export function architecture(file: GgufFile): string | undefined {
  return getString(file, "general.architecture");
}

/** The value of an architecture-prefixed key: archKey(f, "context_length") reads `<arch>.context_length`. */
export function archKey(file: GgufFile, suffix: string): GgufValue | undefined {
  const arch = architecture(file);
  return arch === undefined ? undefined : file.metadata[`${arch}.${suffix}`];
}

/** A numeric architecture-prefixed value, or undefined. */
export function archNumber(file: GgufFile, suffix: string): number | undefined {
  const arch = architecture(file);
  return arch === undefined ? undefined : getNumber(file, `${arch}.${suffix}`);
}
