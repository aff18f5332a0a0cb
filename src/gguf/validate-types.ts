/**
 * On-disk types of the keys llama.cpp reads for every architecture. Its loader takes each key with one exact
 * type (llama-model-loader.cpp GKV::get_kv: "key … has wrong type"), so a block count stored as a uint64 or an
 * epsilon stored as an integer fails every load; saying so at create is kinder than a 500 at the first request.
 */
import type { GgufFile, GgufKeyType } from "./reader.ts";
import { GgufValueType } from "./types.ts";

const { UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY } = GgufValueType;

/** Architecture keys (after `<arch>.`) and the one type llama.cpp reads them as. */
const ARCH_KEYS: Readonly<Record<string, GgufValueType>> = {
  block_count: UINT32,
  context_length: UINT32,
  embedding_length: UINT32,
  "attention.key_length": UINT32,
  "attention.value_length": UINT32,
  "rope.dimension_count": UINT32,
  expert_count: UINT32,
  expert_group_count: UINT32,
  expert_group_used_count: UINT32,
  nextn_predict_layers: UINT32,
  vocab_size: UINT32,
  "attention.layer_norm_epsilon": FLOAT32,
  "attention.layer_norm_rms_epsilon": FLOAT32,
  "rope.freq_base": FLOAT32,
  "rope.scaling.factor": FLOAT32,
  "rope.scaling.type": STRING,
  "attention.causal": BOOL,
};

/** Keys read as one uint32 for every layer or as an array of one per layer (get_key_or_arr). */
const PER_LAYER_KEYS = [
  "feed_forward_length",
  "attention.head_count",
  "attention.head_count_kv",
  "expert_used_count",
];

/** Tokenizer keys and their types. */
const TOKENIZER_KEYS: Readonly<Record<string, GgufValueType>> = {
  "tokenizer.ggml.model": STRING,
  "tokenizer.ggml.pre": STRING,
  "tokenizer.ggml.add_bos_token": BOOL,
  "tokenizer.ggml.add_eos_token": BOOL,
  ...Object.fromEntries(
    ["bos", "eos", "eot", "eom", "unknown", "seperator", "padding", "mask"].map((n) => [
      `tokenizer.ggml.${n}_token_id`,
      UINT32,
    ]),
  ),
};

function typeName(t: GgufKeyType): string {
  const name = GgufValueType[t.type] ?? `type ${t.type}`;
  return t.itemType === undefined ? name : `${name} of ${GgufValueType[t.itemType] ?? t.itemType}`;
}

function mismatch(key: string, got: GgufKeyType, want: string): string {
  return `${key} is stored as ${typeName(got)}, but llama.cpp reads it as ${want}`;
}

/** Keys of the architecture and tokenizer stored with a type llama.cpp does not read them as. */
export function typeProblems(file: GgufFile, arch: string): string[] {
  const types = file.types;
  if (types === undefined) return [];
  const problems: string[] = [];
  const expect = (key: string, want: GgufValueType) => {
    const got = types.get(key);
    if (got && got.type !== want) problems.push(mismatch(key, got, GgufValueType[want] as string));
  };
  for (const [suffix, want] of Object.entries(ARCH_KEYS)) expect(`${arch}.${suffix}`, want);
  for (const [key, want] of Object.entries(TOKENIZER_KEYS)) expect(key, want);
  for (const suffix of PER_LAYER_KEYS) {
    const key = `${arch}.${suffix}`;
    const got = types.get(key);
    if (!got) continue;
    const perLayer = got.type === ARRAY && (got.itemType === UINT32 || got.itemType === INT32);
    if (got.type !== UINT32 && !perLayer) problems.push(mismatch(key, got, "UINT32 or an array of them"));
  }
  return problems;
}
