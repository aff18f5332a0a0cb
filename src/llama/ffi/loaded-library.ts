/**
 * Symbols of a library that is already loaded but reached only through a table: ggml loads its CPU backend
 * variant (libggml-cpu-<arch>.so) itself and hands out a few functions by proc address, not every one it
 * exports. dladdr names the file behind one handed-out function; dlopen of that file reuses the loaded copy.
 */
import { CString, dlopen, type FFIFunction, type Library } from "bun:ffi";
import { type Ptr, addressOf } from "./memory.ts";

const LIBC: Partial<Record<NodeJS.Platform, string>> = {
  linux: "libc.so.6",
  darwin: "/usr/lib/libSystem.B.dylib",
};

/** The file of the loaded shared library holding native address `addr`, or null when it cannot be told. */
export function libraryOf(addr: Ptr): string | null {
  const libc = LIBC[process.platform];
  if (!libc) return null;
  try {
    const { symbols } = dlopen(libc, { dladdr: { args: ["ptr", "ptr"], returns: "i32" } });
    const info = new BigUint64Array(4); // Dl_info: dli_fname, dli_fbase, dli_sname, dli_saddr
    if (symbols.dladdr(addr, addressOf(info)) === 0 || info[0] === 0n) return null;
    return new CString(Number(info[0]) as Ptr).toString();
  } catch {
    return null;
  }
}

/** `symbols` from the loaded library holding `addr`, or null when it or one of them cannot be found. */
export function siblingSymbols<T extends Record<string, FFIFunction>>(
  addr: Ptr,
  symbols: T,
): Library<T>["symbols"] | null {
  const file = libraryOf(addr);
  if (!file) return null;
  try {
    return dlopen(file, symbols).symbols;
  } catch {
    return null;
  }
}
