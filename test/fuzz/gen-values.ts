/**
 * Pools of hostile values the API fuzzer draws from: numbers at and past every integer and float limit,
 * NaN-ish strings, odd unicode, huge strings, odd model names and digests, absurd Ollama options.
 */
import { deepJson, Raw } from "./gen-json.ts";
import type { Rng } from "./gen-rng.ts";

/** Numbers past the limits of int32, int64, float64 and the server's own checks (some only writable raw). */
export const ODD_NUMBERS: readonly unknown[] = [
  0,
  -1,
  1,
  -2,
  0.5,
  1.5,
  -0.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  1e9,
  1e15,
  new Raw("1e999"),
  new Raw("-1e999"),
  new Raw("-0"),
  new Raw("1E400"),
  new Raw("9223372036854775808"),
  new Raw("18446744073709551616"),
  new Raw("123456789012345678901234567890"),
  new Raw("0.0000000000000000000000000001"),
];

/** Strings a lax parser might read as numbers. */
export const NANISH: readonly string[] = [
  "NaN",
  "Infinity",
  "-Infinity",
  "1e999",
  "0x10",
  "-1",
  " 1",
  "1_000",
  "",
  "5m",
];

/** Short strings of awkward unicode (lone surrogates, NUL, RTL override, BOM, combining marks, emoji). */
export const ODD_UNICODE: readonly string[] = [
  "\ud800",
  "\udfff",
  "a\ud83dz",
  "\u0000",
  "a\u0000b",
  "\u202eevil\u202c",
  "\u200f\u05e9\u05dc\u05d5\u05dd",
  "\ufeff",
  "\uffff\ufffe",
  "e\u0301\u0301\u0301\u0301\u0301",
  "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67\u200d\ud83d\udc66",
  "\r\n\r\n",
  "\t\u000b\u000c",
  "\u001b[31mred\u001b[0m",
  "{{ .Prompt }}{{ range . }}",
  "<|im_start|>system\n",
  "</s><s>[INST]",
  "%s%n%x",
  "'; DROP TABLE models; --",
];

/** Model names a store must refuse or resolve safely (never a path outside it). */
export const ODD_NAMES: readonly string[] = [
  "",
  " ",
  "../../etc/passwd",
  "..",
  ".",
  "/etc/passwd",
  "%2e%2e/%2e%2e/etc/passwd",
  "..%2f..%2fetc%2fpasswd",
  "a".repeat(300),
  `x/${"b".repeat(81)}`,
  `${"h".repeat(351)}/ns/m:t`,
  "C:\\Windows\\system32",
  "nul",
  "con:latest",
  "m:",
  ":tag",
  "a//b",
  "a/b/c/d/e",
  "hf.co/x/y:z",
  "https://evil.example/ns/m:t",
  "registry.ollama.ai/library/nonexistent:latest",
  "name\u0000.gguf",
  "\u202emodel",
  "model:tag:extra",
  "-leading-dash",
  "model@sha256:abc",
  "/dev/zero",
];

/** Digests with every near-miss of the `sha256:<64 hex>` form, and traversal attempts. */
export function oddDigests(rng: Rng): string[] {
  return [
    "",
    "sha256:",
    `sha256:${rng.hex(63)}`,
    `sha256:${rng.hex(65)}`,
    `sha256-${rng.hex(64)}`,
    `SHA256:${rng.hex(64)}`,
    `sha256:${rng.hex(64).toUpperCase()}`,
    `sha256:${rng.hex(62)}zz`,
    `sha512:${rng.hex(128)}`,
    "sha256:../../../../etc/passwd",
    `sha256:${rng.hex(64)}/../../x`,
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e",
    "a".repeat(300),
    `sha256:${rng.hex(64)}\u0000`,
  ];
}

/** A string of about 2^k UTF-8 bytes (1 KiB … `maxBytes`), ASCII, multi-byte or NUL-filled. */
export function hugeString(rng: Rng, maxBytes: number): string {
  const maxK = Math.max(10, Math.floor(Math.log2(maxBytes)));
  const bytes = 2 ** rng.range(10, maxK);
  const unit = rng.pick(["a", "hello world ", "\u00e9", "\u4e00", "\u0000", "\ud83d\ude00", "{"]);
  return unit.repeat(Math.max(1, Math.floor(bytes / Buffer.byteLength(unit))));
}

/** An array of `n` copies of a small value (long lists: messages, token ids, inputs). */
export function longArray(rng: Rng, item: unknown, max: number): unknown[] {
  return new Array(rng.range(100, max)).fill(item);
}

/** Ollama options with absurd values: each pair is one option the runner must bound or refuse. */
export const ABSURD_OPTIONS: readonly (readonly [string, unknown])[] = [
  ["num_thread", 100000],
  ["num_thread", -1],
  ["num_thread", 0],
  ["num_batch", 0],
  ["num_batch", -1],
  ["num_batch", 1],
  ["num_batch", 2 ** 31],
  ["num_ctx", 0],
  ["num_ctx", 1],
  ["num_ctx", -1],
  ["num_ctx", 2 ** 31],
  ["num_ctx", 2 ** 53],
  ["num_predict", -2],
  ["num_predict", 0],
  ["num_predict", 2 ** 31],
  ["num_keep", -5],
  ["num_keep", 2 ** 31],
  ["num_gpu", 999],
  ["num_gpu", -1000],
  ["main_gpu", 99],
  ["top_k", -1],
  ["top_k", 2 ** 31],
  ["top_p", 2],
  ["top_p", -1],
  ["min_p", -1],
  ["typical_p", 0],
  ["temperature", -1],
  ["temperature", 1e308],
  ["repeat_last_n", -2],
  ["repeat_last_n", 2 ** 31],
  ["repeat_penalty", -1e308],
  ["presence_penalty", 1e308],
  ["frequency_penalty", -1e308],
  ["mirostat", 3],
  ["mirostat", 2],
  ["mirostat_tau", -1],
  ["mirostat_eta", 1e308],
  ["seed", -1],
  ["seed", new Raw("18446744073709551617")],
  ["stop", [""]],
  ["stop", new Array(1000).fill("x")],
  ["stop", "not-a-list"],
  ["use_mmap", "yes"],
  ["numa", true],
  ["low_vram", 1],
  ["penalize_newline", "no"],
  ["tfs_z", 0],
  ["not_an_option", { a: 1 }],
];

/** A value of the wrong JSON type for what `current` is (a number for a string, an object for a list, …). */
export function wrongType(rng: Rng, current: unknown): unknown {
  const all: unknown[] = ["str", 7, -3.5, true, false, {}, [], [1, "a", null], { nested: { x: 1 } }];
  const differs = all.filter(
    (v) => typeof v !== typeof current || Array.isArray(v) !== Array.isArray(current),
  );
  return rng.pick(differs.length ? differs : all);
}

/** One hostile replacement for a field currently holding `current`. */
export function oddValue(rng: Rng, current: unknown, maxString: number): unknown {
  return rng.weighted<() => unknown>([
    [4, () => wrongType(rng, current)],
    [3, () => null],
    [4, () => rng.pick(ODD_NUMBERS)],
    [2, () => rng.pick(NANISH)],
    [3, () => rng.pick(ODD_UNICODE)],
    [1, () => hugeString(rng, maxString)],
    [2, () => rng.pick(ODD_NAMES)],
    [1, () => deepJson(rng.pick([100, 1000, 10_000]), rng.pick(["array", "object"] as const))],
    // At most 500 items: a list of 2,000 embedding inputs is legitimately half a minute of work on 2 cores.
    [1, () => (Array.isArray(current) ? longArray(rng, current[0] ?? 1, 500) : [current])],
    [1, () => (current !== null && typeof current === "object" ? [current] : { value: current })],
    [1, () => ""],
  ])();
}
