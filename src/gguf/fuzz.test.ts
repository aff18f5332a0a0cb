import { expect, test } from "bun:test";
import { ByteWriter } from "./encode.ts";
import { GgufError } from "./errors.ts";
import { parseGguf } from "./reader.ts";
import { gv } from "./typed.ts";
import { GgmlType, GgufValueType, tensorByteSize } from "./types.ts";

/** A small valid GGUF built by hand, with the byte position of every u64 length/count/dim/offset field. */
function baseFile(): { bytes: Uint8Array; lengthFields: number[]; dataEnd: number } {
  const fields: number[] = [];
  const w = new ByteWriter();
  const u64 = (v: number) => (fields.push(w.length), w.u64(v));
  const str = (s: string) => (fields.push(w.length), w.str(s));
  const tensors: [string, number[], GgmlType][] = [
    ["t0", [32, 2], GgmlType.F32],
    ["t1", [64], GgmlType.Q8_0],
    ["t2", [32, 3], GgmlType.Q4_0],
  ];
  w.bytes(new TextEncoder().encode("GGUF"));
  w.u32(3);
  u64(tensors.length);
  u64(6);
  const kv: [string, ReturnType<typeof gv.u8>][] = [
    ["general.architecture", gv.str("llama")],
    ["general.alignment", gv.u32(32)],
    ["a.u64", gv.u64(123)],
    ["a.bool", gv.bool(true)],
    ["a.arr.f32", gv.array(GgufValueType.FLOAT32, [1, 2, 3])],
  ];
  for (const [k, v] of kv) {
    str(k);
    w.value(v, k);
  }
  str("a.arr.str");
  w.u32(GgufValueType.ARRAY);
  w.u32(GgufValueType.STRING);
  u64(3);
  for (const s of ["x", "yy", "zzz"]) str(s);
  let offset = 0;
  let lastEnd = 0;
  for (const [name, shape, type] of tensors) {
    str(name);
    w.u32(shape.length);
    for (const ne of shape) u64(ne);
    w.u32(type);
    u64(offset);
    lastEnd = offset + (tensorByteSize(type, shape) as number);
    offset += Math.ceil((tensorByteSize(type, shape) as number) / 32) * 32;
  }
  w.pad(32);
  const dataStart = w.length;
  for (let i = 0; i < offset; i++) w.bytes(new Uint8Array([(i * 37) & 0xff]));
  // dataEnd: the end of the last tensor's bytes (its trailing padding may be cut without harm).
  return { bytes: w.result().slice(), lengthFields: fields, dataEnd: dataStart + lastEnd };
}

/** xorshift32: deterministic mutations. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

const HUGE = [2n ** 60n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 32n, 2n ** 53n + 1n, 0xffffffffn];

test("1,000 seeded mutations are parsed or refused with GgufError only, each quickly", () => {
  const { bytes, lengthFields, dataEnd } = baseFile();
  expect(parseGguf(bytes).tensors.length).toBe(3);
  const rand = rng(20240601);
  const rejected = { flip: 0, huge: 0, truncate: 0, insert: 0 };
  const total = { flip: 0, huge: 0, truncate: 0, insert: 0 };
  for (let i = 0; i < 1000; i++) {
    const kind = (["flip", "huge", "truncate", "insert"] as const)[i % 4] as keyof typeof total;
    let m: Uint8Array;
    let mustReject = false;
    if (kind === "flip") {
      m = bytes.slice();
      const n = 1 + rand(4);
      for (let j = 0; j < n; j++) m[rand(dataEnd)] = rand(256);
    } else if (kind === "huge") {
      m = bytes.slice();
      const at = lengthFields[rand(lengthFields.length)] as number;
      new DataView(m.buffer).setBigUint64(at, HUGE[rand(HUGE.length)] as bigint, true);
      mustReject = true;
    } else if (kind === "truncate") {
      const end = rand(dataEnd);
      m = bytes.subarray(0, end);
      mustReject = true;
    } else {
      const at = rand(dataEnd);
      const extra = new Uint8Array(1 + rand(16)).map(() => rand(256));
      m = new Uint8Array(bytes.length + extra.length);
      m.set(bytes.subarray(0, at));
      m.set(extra, at);
      m.set(bytes.subarray(at), at + extra.length);
    }
    total[kind]++;
    const t0 = performance.now();
    let error: unknown;
    try {
      parseGguf(m);
    } catch (e) {
      error = e;
    }
    const ms = performance.now() - t0;
    if (error !== undefined && !(error instanceof GgufError)) {
      throw new Error(`mutation ${i} (${kind}) raised ${String(error)}`);
    }
    if (mustReject && error === undefined) throw new Error(`mutation ${i} (${kind}) was accepted`);
    if (error !== undefined) rejected[kind]++;
    expect(ms).toBeLessThan(100);
  }
  expect(rejected.huge).toBe(total.huge);
  expect(rejected.truncate).toBe(total.truncate);
  // Flips and insertions may land in string bytes and still make a valid file; most must not.
  expect(rejected.flip + rejected.insert).toBeGreaterThan((total.flip + total.insert) / 2);
});
