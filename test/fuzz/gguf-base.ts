/**
 * Base files of the GGUF mutation fuzzer: real synthetic models (several architectures, vocabularies and
 * quantizations) read back into an editable spec, with every header field's byte position.
 */
import { readGgufTyped } from "../../src/gguf/reader.ts";
import { type CraftSpec, type Crafted, craftGguf } from "../../src/gguf/testing.ts";
import type { GgufTypedValue } from "../../src/gguf/value.ts";
import { synthModel, type SynthModelOptions } from "../fixtures/models.ts";

/**
 * One reusable buffer for the mutant being built: a fresh multi-megabyte array per file costs more (zeroing,
 * page faults) than validating it. A view it hands out is valid until the next `take`.
 */
export class Scratch {
  private buf = new Uint8Array(0);

  /** A view of `n` bytes (contents unspecified). */
  take(n: number): Uint8Array {
    if (this.buf.length < n) this.buf = new Uint8Array(Math.ceil(n * 1.25));
    return this.buf.subarray(0, n);
  }

  /** A copy of `src` in the scratch buffer (`src` may itself be a scratch view). */
  copy(src: Uint8Array): Uint8Array {
    if (src.buffer === this.buf.buffer && src.byteOffset === 0) return src;
    const out = this.take(src.length);
    out.set(src);
    return out;
  }
}

/** A base model: its spec (data section kept by reference), its original bytes and field positions. */
export interface FuzzBase {
  /** Where mutants of this base are built (shared by the bases of a run). */
  scratch: Scratch;
  /** Short label, e.g. "tiny-q8_0-llama-spm". */
  label: string;
  arch: string;
  /** Embedding models are exercised through /api/embed, chat models through /api/generate. */
  embedding: boolean;
  spec: CraftSpec;
  /** The tensor data section, shared by every mutation. */
  data: Uint8Array;
  /** The original file. */
  bytes: Uint8Array;
  /** Header fields of the original file, by byte position. */
  header: Crafted;
}

/** The synthetic models the short (CI) run mutates. */
export const CI_BASES: SynthModelOptions[] = [
  { preset: "tiny", quant: "q8_0", vocab: "llama-spm" },
  { preset: "tiny", quant: "q4_0", vocab: "gpt-2" },
  { preset: "embed", quant: "q8_0", vocab: "bert-bge" },
];

/** The long run adds an F32 model and the large (128k and 152k token) BPE vocabularies. */
export const LONG_BASES: SynthModelOptions[] = [
  ...CI_BASES,
  { preset: "tiny", quant: "f32", vocab: "llama-spm" },
  { preset: "tiny", quant: "q4_0", vocab: "llama-bpe" },
  { preset: "tiny", quant: "q8_0", vocab: "qwen2", template: "qwen2.5" },
];

/** Header bytes of `spec` (no tensor data) followed by `data`, built in `scratch` (a new array without). */
export function withData(spec: CraftSpec, data: Uint8Array, scratch?: Scratch): Uint8Array {
  const header = craftGguf({ ...spec, data: new Uint8Array(0) }).bytes;
  const n = header.length + data.length;
  const out = scratch ? scratch.take(n) : new Uint8Array(n);
  out.set(header);
  out.set(data, header.length);
  return out;
}

/** Reads a synthetic model into a FuzzBase; its re-encoding must reproduce the file byte for byte. */
export async function loadBase(o: SynthModelOptions, scratch: Scratch): Promise<FuzzBase> {
  const path = await synthModel(o);
  const bytes = new Uint8Array(await Bun.file(path).arrayBuffer());
  const { file, types } = await readGgufTyped(path);
  const metadata: [string, GgufTypedValue][] = [...types].map(([key, t]) => [
    key,
    { ...t, value: file.metadata[key] } as GgufTypedValue,
  ]);
  const spec: CraftSpec = {
    version: file.version,
    metadata,
    alignment: file.alignment,
    tensors: file.tensors.map((t) => ({
      name: t.name,
      shape: t.shape,
      type: t.type,
      offset: t.offset - file.dataOffset,
    })),
  };
  const data = bytes.subarray(file.dataOffset);
  const header = craftGguf({ ...spec, data: new Uint8Array(0) });
  const again = withData(spec, data);
  if (again.length !== bytes.length || Buffer.compare(again, bytes) !== 0) {
    throw new Error(`re-encoding ${path} does not reproduce it`);
  }
  const arch = String(file.metadata["general.architecture"]);
  const label = [o.preset, o.quant, o.vocab, o.template].filter(Boolean).join("-");
  return {
    scratch,
    label,
    arch,
    embedding: file.metadata[`${arch}.pooling_type`] !== undefined,
    spec,
    data,
    bytes,
    header,
  };
}
