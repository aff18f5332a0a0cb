/**
 * Hand-built GGUF bytes for tests and the mutation fuzzer: unlike the writer, every field can be made to lie
 * (tensor offsets, dimension counts, header counts, duplicate keys), and the byte position of every field is
 * recorded so that mutations can patch it in place.
 */
import { ByteWriter } from "./encode.ts";
import { gv } from "./typed.ts";
import { GgmlType, GgufValueType, tensorByteSize } from "./types.ts";
import type { GgufTypedValue } from "./value.ts";

/** One tensor-table entry; `offset` (relative to the data section) defaults to the packed position. */
export interface CraftTensor {
  name: string;
  shape: number[];
  type: number;
  offset?: number | bigint;
}

/** What to encode. Metadata is a list so a key can appear twice; general.alignment is not added for you. */
export interface CraftSpec {
  version?: number;
  metadata: [string, GgufTypedValue][];
  tensors: CraftTensor[];
  /** Alignment used to place the data section and default offsets (default 32). */
  alignment?: number;
  /** Tensor data bytes to append (default: zeros covering every tensor). */
  data?: Uint8Array;
}

/** Kinds of recorded fields. */
export type FieldKind =
  | "n_tensors"
  | "n_kv"
  | "key_len"
  | "value_type"
  | "item_type"
  | "array_len"
  | "str_len"
  | "value"
  | "name_len"
  | "n_dims"
  | "ne"
  | "tensor_type"
  | "offset";

/** A field's position: `at` is its first byte, `size` its width; `owner` is the key or tensor name. */
export interface Field {
  kind: FieldKind;
  at: number;
  size: number;
  owner: string;
}

/** Encoded bytes, the recorded fields, and where the data section starts. */
export interface Crafted {
  bytes: Uint8Array;
  fields: Field[];
  dataOffset: number;
}

function writeValue(w: ByteWriter, fields: Field[], key: string, t: GgufTypedValue): void {
  const mark = (kind: FieldKind, at: number, size: number) => fields.push({ kind, at, size, owner: key });
  mark("value_type", w.length, 4);
  w.u32(t.type);
  if (t.type !== GgufValueType.ARRAY) {
    const at = w.length;
    w.scalar(t.type, t.value, key);
    if (t.type === GgufValueType.STRING) mark("str_len", at, 8);
    else mark("value", at, w.length - at);
    return;
  }
  mark("item_type", w.length, 4);
  w.u32(t.itemType as number);
  const items = t.value as GgufTypedValue["value"][];
  mark("array_len", w.length, 8);
  w.u64(items.length);
  for (const item of items) w.scalar(t.itemType as GgufValueType, item as never, key);
}

/** Encodes a GGUF (v3 unless told), recording every count, length, type, shape and offset field. */
export function craftGguf(spec: CraftSpec): Crafted {
  const alignment = spec.alignment ?? 32;
  const w = new ByteWriter();
  const fields: Field[] = [];
  const mark = (kind: FieldKind, size: number, owner: string) =>
    fields.push({ kind, at: w.length, size, owner });
  w.bytes(new TextEncoder().encode("GGUF"));
  w.u32(spec.version ?? 3);
  mark("n_tensors", 8, "");
  w.u64(spec.tensors.length);
  mark("n_kv", 8, "");
  w.u64(spec.metadata.length);
  for (const [key, value] of spec.metadata) {
    mark("key_len", 8, key);
    w.str(key);
    writeValue(w, fields, key, value);
  }
  let packed = 0;
  for (const t of spec.tensors) {
    mark("name_len", 8, t.name);
    w.str(t.name);
    mark("n_dims", 4, t.name);
    w.u32(t.shape.length);
    for (const ne of t.shape) {
      mark("ne", 8, t.name);
      w.u64(ne);
    }
    mark("tensor_type", 4, t.name);
    w.u32(t.type);
    mark("offset", 8, t.name);
    w.u64(t.offset ?? packed);
    const size = tensorByteSize(t.type, t.shape) ?? 0;
    packed += Math.ceil(size / alignment) * alignment;
  }
  if (spec.tensors.length > 0) w.pad(alignment);
  const dataOffset = w.length;
  w.bytes(spec.data ?? new Uint8Array(packed));
  return { bytes: w.result().slice(), fields, dataOffset };
}

/** Hyper-parameters of the small llama model `tinyLlama` builds. */
export interface TinyLlamaOptions {
  blockCount?: number;
  embd?: number;
  heads?: number;
  headsKv?: number;
  tokens?: string[];
}

/** A small, valid llama GGUF spec (F32, zero weights): the base most validation tests break one thing of. */
export function tinyLlama(o: TinyLlamaOptions = {}): CraftSpec {
  const blocks = o.blockCount ?? 2;
  const embd = o.embd ?? 64;
  const tokens = o.tokens ?? ["<unk>", "<s>", "</s>", "a", "b", "c", "d", "e"];
  const kvDim = (embd / (o.heads ?? 4)) * (o.headsKv ?? 2);
  const tensors: CraftTensor[] = [
    { name: "token_embd.weight", shape: [embd, tokens.length], type: GgmlType.F32 },
  ];
  for (let i = 0; i < blocks; i++) {
    tensors.push(
      { name: `blk.${i}.attn_norm.weight`, shape: [embd], type: GgmlType.F32 },
      { name: `blk.${i}.attn_q.weight`, shape: [embd, embd], type: GgmlType.F32 },
      { name: `blk.${i}.attn_k.weight`, shape: [embd, kvDim], type: GgmlType.F32 },
    );
  }
  tensors.push({ name: "output_norm.weight", shape: [embd], type: GgmlType.F32 });
  return {
    metadata: [
      ["general.architecture", gv.str("llama")],
      ["general.alignment", gv.u32(32)],
      ["llama.block_count", gv.u32(blocks)],
      ["llama.context_length", gv.u32(256)],
      ["llama.embedding_length", gv.u32(embd)],
      ["llama.attention.head_count", gv.u32(o.heads ?? 4)],
      ["llama.attention.head_count_kv", gv.u32(o.headsKv ?? 2)],
      ["tokenizer.ggml.model", gv.str("gpt2")],
      ["tokenizer.ggml.tokens", gv.array(GgufValueType.STRING, tokens)],
      ["tokenizer.ggml.merges", gv.array(GgufValueType.STRING, ["a b"])],
      [
        "tokenizer.ggml.scores",
        gv.array(
          GgufValueType.FLOAT32,
          tokens.map(() => 0),
        ),
      ],
      [
        "tokenizer.ggml.token_type",
        gv.array(
          GgufValueType.INT32,
          tokens.map(() => 1),
        ),
      ],
      ["tokenizer.ggml.bos_token_id", gv.u32(1)],
      ["tokenizer.ggml.eos_token_id", gv.u32(2)],
    ],
    tensors,
  };
}

/** `spec` with the value of `key` replaced (or appended when absent). */
export function withKey(spec: CraftSpec, key: string, value: GgufTypedValue): CraftSpec {
  const has = spec.metadata.some(([k]) => k === key);
  const metadata: [string, GgufTypedValue][] = has
    ? spec.metadata.map(([k, v]) => [k, k === key ? value : v])
    : [...spec.metadata, [key, value]];
  return { ...spec, metadata };
}

/** `spec` without `key`. */
export function withoutKey(spec: CraftSpec, key: string): CraftSpec {
  return { ...spec, metadata: spec.metadata.filter(([k]) => k !== key) };
}
