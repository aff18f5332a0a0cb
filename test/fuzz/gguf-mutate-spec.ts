/**
 * Structural GGUF mutations: the header is re-encoded from an edited spec (hyper-parameters, vocabulary,
 * metadata keys and types) and the original tensor data appended. Tensor-table edits: gguf-mutate-tensors.ts.
 */
import type { CraftSpec } from "../../src/gguf/testing.ts";
import { gv } from "../../src/gguf/typed.ts";
import { GgufValueType } from "../../src/gguf/types.ts";
import type { GgufTypedValue, GgufValue } from "../../src/gguf/value.ts";
import { type FuzzBase, withData } from "./gguf-base.ts";
import type { Mutant } from "./gguf-mutate-bytes.ts";
import type { Rng } from "./gguf-rng.ts";

type Entry = [string, GgufTypedValue];

/** A mutant whose header is `spec` over the base's (the base's tensor data appended). */
export function rebuild(base: FuzzBase, spec: Partial<CraftSpec>, family: string, label: string): Mutant {
  return { family, label, bytes: withData({ ...base.spec, ...spec }, base.data, base.scratch) };
}

function setKey(entries: Entry[], key: string, value: GgufTypedValue | undefined): Entry[] {
  if (value === undefined) return entries.filter(([k]) => k !== key);
  return entries.some(([k]) => k === key)
    ? entries.map(([k, v]): Entry => [k, k === key ? value : v])
    : [...entries, [key, value]];
}

function numberOf(entries: Entry[], key: string): number {
  const v = entries.find(([k]) => k === key)?.[1].value;
  return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : 0;
}

/** A value for an integer hyper-parameter: edge numbers in a random integer (or wrong) type. */
function intValue(rng: Rng, original: number): GgufTypedValue {
  const orig = Math.round(original);
  const n = rng.pick([
    0,
    1,
    2,
    3,
    7,
    orig - 1,
    orig + 1,
    orig * 2,
    511,
    512,
    513,
    2 ** 26,
    2 ** 31,
    2 ** 32 - 1,
  ]);
  return rng.weighted<() => GgufTypedValue>([
    [() => gv.u32(Math.max(0, Math.min(n, 2 ** 32 - 1))), 6],
    [() => gv.i32(rng.pick([-1, -(2 ** 31), Math.min(n, 2 ** 31 - 1)])), 2],
    [() => gv.u64(rng.pick([BigInt(Math.max(0, n)), 2n ** 40n, 2n ** 63n, 2n ** 64n - 1n])), 2],
    [() => gv.i64(rng.pick([-1n, BigInt(n)])), 1],
    [() => gv.f32(n + 0.5), 1],
    [() => gv.str(String(n)), 1],
    [() => gv.array(GgufValueType.UINT32, [Math.max(0, n), 1]), 1],
  ])();
}

/** `<arch>.block_count` (the reported hang) or another architecture hyper-parameter. */
export function mutateHparam(base: FuzzBase, rng: Rng): Mutant {
  const entries = base.spec.metadata;
  const prefix = `${base.arch}.`;
  const keys = entries.map(([k]) => k).filter((k) => k.startsWith(prefix));
  const extra = [
    "expert_count",
    "expert_used_count",
    "nextn_predict_layers",
    "attention.key_length",
    "rope.scaling.type",
  ];
  const key = rng.chance(0.35)
    ? `${prefix}block_count`
    : rng.chance(0.8)
      ? rng.pick(keys)
      : prefix + rng.pick(extra);
  if (key.endsWith("rope.scaling.type")) {
    const v = rng.pick(["none", "linear", "yarn", "longrope", "bogus", ""]);
    return rebuild(base, { metadata: setKey(entries, key, gv.str(v)) }, "hparam", `${key} = ${v}`);
  }
  const value = rng.chance(0.05) ? undefined : intValue(rng, numberOf(entries, key));
  const label =
    value === undefined ? `${key} removed` : `${key} = ${String(value.value)} (type ${value.type})`;
  return rebuild(base, { metadata: setKey(entries, key, value) }, "hparam", label);
}

function listOf(entries: Entry[], key: string): GgufValue[] | undefined {
  const v = entries.find(([k]) => k === key)?.[1].value;
  return Array.isArray(v) ? v : undefined;
}

/** The token list, its per-token arrays, merges, special ids, tokenizer model. */
export function mutateVocab(base: FuzzBase, rng: Rng): Mutant {
  let entries = base.spec.metadata;
  const tokens = (listOf(entries, "tokenizer.ggml.tokens") ?? []) as string[];
  const n = tokens.length;
  const strings = (v: string[]) => gv.array(GgufValueType.STRING, v);
  const op = rng.weighted<string>([
    ["duplicate", 3],
    ["shorter", 2],
    ["longer", 2],
    ["empty", 1],
    ["per-token", 2],
    ["special", 3],
    ["model", 2],
    ["merges", 1],
    ["add_bos", 1],
  ]);
  let label: string = op;
  if (op === "duplicate" && n > 1) {
    const [i, j] = [rng.int(n), rng.int(n)];
    entries = setKey(
      entries,
      "tokenizer.ggml.tokens",
      strings(tokens.map((t, k) => (k === i ? (tokens[j] as string) : t))),
    );
    label = `token ${i} = token ${j}`;
  } else if (op === "shorter" || op === "longer") {
    const k = 1 + rng.int(8);
    const next =
      op === "shorter"
        ? tokens.slice(0, Math.max(0, n - k))
        : [...tokens, ...Array.from({ length: k }, (_, i) => `<fuzz${i}>`)];
    entries = setKey(entries, "tokenizer.ggml.tokens", strings(next));
    label = `${op} token list by ${k}`;
  } else if (op === "empty" && n > 0) {
    const i = rng.int(n);
    entries = setKey(entries, "tokenizer.ggml.tokens", strings(tokens.map((t, k) => (k === i ? "" : t))));
    label = `token ${i} emptied`;
  } else if (op === "per-token") {
    const key = rng.pick(["tokenizer.ggml.scores", "tokenizer.ggml.token_type"]);
    const v = listOf(entries, key) ?? [];
    const cut = rng.chance(0.5);
    const next = cut
      ? v.slice(0, Math.max(0, v.length - 1 - rng.int(8)))
      : v.map(() => rng.pick([-5, 0, 6, 99]));
    const type = key.endsWith("scores") && rng.chance(0.7) ? GgufValueType.FLOAT32 : GgufValueType.INT32;
    entries = setKey(entries, key, gv.array(type, next));
    label = `${key} ${cut ? "shortened" : "odd values"}`;
  } else if (op === "special") {
    const key = `tokenizer.ggml.${rng.pick(["bos", "eos", "unknown", "padding", "seperator", "eot", "eom"])}_token_id`;
    const id = rng.pick([0, n - 1, n, n + 1, 2 ** 31, 2 ** 32 - 1]);
    entries = setKey(entries, key, rng.chance(0.2) ? gv.i32(-1) : gv.u32(id));
    label = `${key} = ${id}`;
  } else if (op === "model") {
    const key = rng.chance(0.7) ? "tokenizer.ggml.model" : "tokenizer.ggml.pre";
    const v = rng.pick([
      "llama",
      "gpt2",
      "bert",
      "t5",
      "rwkv",
      "none",
      "no_vocab",
      "plamo2",
      "bogus",
      "",
      "qwen2",
      "llama-bpe",
    ]);
    entries = setKey(entries, key, gv.str(v));
    label = `${key} = ${v}`;
  } else if (op === "merges") {
    const merges = (listOf(entries, "tokenizer.ggml.merges") ?? ["a b"]) as string[];
    const bad = rng.pick(["", "a", "a b c", "\u0000 \u0000", " "]);
    const i = rng.int(merges.length);
    entries = setKey(entries, "tokenizer.ggml.merges", strings(merges.map((m, k) => (k === i ? bad : m))));
    label = `merge ${i} = ${JSON.stringify(bad)}`;
  } else {
    entries = setKey(entries, "tokenizer.ggml.add_bos_token", gv.bool(rng.chance(0.5)));
  }
  return rebuild(base, { metadata: entries }, "vocab", label);
}

/** Keys removed, duplicated or retyped; architecture or alignment changed. */
export function mutateMetadata(base: FuzzBase, rng: Rng): Mutant {
  const entries = base.spec.metadata;
  const [key, value] = rng.pick(entries);
  const op = rng.weighted<string>([
    ["remove", 3],
    ["duplicate", 1],
    ["architecture", 2],
    ["alignment", 2],
    ["retype", 2],
  ]);
  if (op === "remove")
    return rebuild(base, { metadata: setKey(entries, key, undefined) }, "metadata", `${key} removed`);
  if (op === "duplicate")
    return rebuild(base, { metadata: [...entries, [key, value]] }, "metadata", `${key} twice`);
  if (op === "architecture") {
    const a = rng.pick(["llama", "bert", "qwen2", "gemma3", "mamba", "clip", "nomic-bert", "", "bogus"]);
    return rebuild(
      base,
      { metadata: setKey(entries, "general.architecture", gv.str(a)) },
      "metadata",
      `architecture ${a}`,
    );
  }
  if (op === "alignment") {
    const a = rng.pick([0, 1, 3, 8, 16, 64, 4096, 2 ** 31]);
    const v = rng.chance(0.8) ? gv.u32(a) : gv.u64(a);
    // The header is padded to the claimed alignment when it is sane, so every placement changes with it; a
    // huge or zero one is only claimed (padding to 2 GiB would just make a huge file).
    const layout = a > 0 && a <= 4096 ? a : base.spec.alignment;
    return rebuild(
      base,
      { metadata: setKey(entries, "general.alignment", v), alignment: layout },
      "metadata",
      `alignment ${a}`,
    );
  }
  const retyped: GgufTypedValue = Array.isArray(value.value)
    ? gv.array(
        GgufValueType.UINT8,
        value.value.slice(0, 64).map((_, i) => i & 0xff),
      )
    : typeof value.value === "string"
      ? gv.u32(7)
      : gv.str(String(value.value));
  return rebuild(
    base,
    { metadata: setKey(entries, key, retyped) },
    "metadata",
    `${key} retyped to ${retyped.type}`,
  );
}
