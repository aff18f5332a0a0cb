/**
 * Byte layouts of the llama.h / ggml-backend.h structs tsllm reads or writes (x86-64 and arm64 LP64).
 * The one place these numbers live; structs.test.ts checks every size and offset against the real header
 * compiled through bun:ffi's `cc`. The C shim passes these structs by value as opaque blobs of `size` bytes,
 * which is ABI-equivalent for structs larger than 16 bytes on both targets.
 */

/** A field's byte offset and C type. */
export type Field = readonly [
  offset: number,
  type: "i8" | "bool" | "i32" | "u32" | "f32" | "f64" | "ptr" | "usize",
];

/** A struct's size, alignment and fields. */
export interface Layout<F extends string = string> {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly fields: Readonly<Record<F, Field>>;
}

function layout<F extends string>(
  name: string,
  size: number,
  align: number,
  fields: Record<F, Field>,
): Layout<F> {
  return { name, size, align, fields };
}

/** struct llama_model_params */
export const ModelParams = layout("llama_model_params", 80, 8, {
  devices: [0, "ptr"],
  tensor_buft_overrides: [8, "ptr"],
  n_gpu_layers: [16, "i32"],
  split_mode: [20, "i32"],
  load_mode: [24, "i32"],
  lazy_mode: [28, "i32"],
  main_gpu: [32, "i32"],
  tensor_split: [40, "ptr"],
  progress_callback: [48, "ptr"],
  progress_callback_user_data: [56, "ptr"],
  kv_overrides: [64, "ptr"],
  vocab_only: [72, "bool"],
  check_tensors: [73, "bool"],
  use_extra_bufts: [74, "bool"],
  no_host: [75, "bool"],
  no_alloc: [76, "bool"],
  load_mtp: [77, "bool"],
});

/** struct llama_context_params */
export const ContextParams = layout("llama_context_params", 160, 8, {
  n_ctx: [0, "u32"],
  n_batch: [4, "u32"],
  n_ubatch: [8, "u32"],
  n_seq_max: [12, "u32"],
  n_rs_seq: [16, "u32"],
  n_outputs_max: [20, "u32"],
  n_outputs_max_per_seq: [24, "u32"],
  n_threads: [28, "i32"],
  n_threads_batch: [32, "i32"],
  ctx_type: [36, "i32"],
  rope_scaling_type: [40, "i32"],
  pooling_type: [44, "i32"],
  attention_type: [48, "i32"],
  flash_attn_type: [52, "i32"],
  rope_freq_base: [56, "f32"],
  rope_freq_scale: [60, "f32"],
  yarn_orig_ctx: [80, "u32"],
  cb_eval: [88, "ptr"],
  type_k: [104, "i32"],
  type_v: [108, "i32"],
  abort_callback: [112, "ptr"],
  abort_callback_data: [120, "ptr"],
  embeddings: [128, "bool"],
  offload_kqv: [129, "bool"],
  no_perf: [130, "bool"],
  op_offload: [131, "bool"],
  swa_full: [132, "bool"],
  kv_unified: [133, "bool"],
  samplers: [136, "ptr"],
  n_samplers: [144, "usize"],
  ctx_other: [152, "ptr"],
});

/** struct llama_batch */
export const Batch = layout("llama_batch", 56, 8, {
  n_tokens: [0, "i32"],
  token: [8, "ptr"],
  embd: [16, "ptr"],
  pos: [24, "ptr"],
  n_seq_id: [32, "ptr"],
  seq_id: [40, "ptr"],
  logits: [48, "ptr"],
});

/** struct llama_model_quantize_params */
export const QuantizeParams = layout("llama_model_quantize_params", 64, 8, {
  nthread: [0, "i32"],
  ftype: [4, "i32"],
  output_tensor_type: [8, "i32"],
  token_embedding_type: [12, "i32"],
  allow_requantize: [16, "bool"],
  quantize_output_tensor: [17, "bool"],
  only_copy: [18, "bool"],
  pure: [19, "bool"],
  keep_split: [20, "bool"],
  dry_run: [21, "bool"],
  imatrix: [24, "ptr"],
  kv_overrides: [32, "ptr"],
  tt_overrides: [40, "ptr"],
  prune_layers: [48, "ptr"],
  max_buf_size: [56, "usize"],
});

/** struct llama_token_data { id, logit, p } */
export const TokenData = layout("llama_token_data", 12, 4, {
  id: [0, "i32"],
  logit: [4, "f32"],
  p: [8, "f32"],
});

/** struct llama_token_data_array */
export const TokenDataArray = layout("llama_token_data_array", 32, 8, {
  data: [0, "ptr"],
  size: [8, "usize"],
  selected: [16, "usize"],
  sorted: [24, "bool"],
});

/** struct llama_logit_bias { token, bias } */
export const LogitBias = layout("llama_logit_bias", 8, 4, { token: [0, "i32"], bias: [4, "f32"] });

/** struct llama_perf_context_data */
export const PerfContextData = layout("llama_perf_context_data", 48, 8, {
  t_start_ms: [0, "f64"],
  t_load_ms: [8, "f64"],
  t_p_eval_ms: [16, "f64"],
  t_eval_ms: [24, "f64"],
  n_p_eval: [32, "i32"],
  n_eval: [36, "i32"],
  n_reused: [40, "i32"],
});

/** struct ggml_backend_dev_props (caps are 5 bools at the end) */
export const DevProps = layout("ggml_backend_dev_props", 56, 8, {
  name: [0, "ptr"],
  description: [8, "ptr"],
  memory_free: [16, "usize"],
  memory_total: [24, "usize"],
  type: [32, "i32"],
  device_id: [40, "ptr"],
});

/** struct ggml_threadpool_params (cpumask is bool[GGML_MAX_N_THREADS = 512]) */
export const ThreadpoolParams = layout("ggml_threadpool_params", 528, 4, {
  n_threads: [512, "i32"],
  prio: [516, "i32"],
  poll: [520, "u32"],
  strict_cpu: [524, "bool"],
  paused: [525, "bool"],
});

/** Every layout, for the layout test and the shim's size defines. */
export const ALL_LAYOUTS: readonly Layout[] = [
  ModelParams,
  ContextParams,
  Batch,
  QuantizeParams,
  TokenData,
  TokenDataArray,
  LogitBias,
  PerfContextData,
  DevProps,
  ThreadpoolParams,
];

/** A typed view over one struct instance held in JS memory. */
export class StructView<F extends string> {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;

  constructor(
    readonly layout: Layout<F>,
    bytes?: Uint8Array,
  ) {
    this.bytes = bytes ?? new Uint8Array(new ArrayBuffer(layout.size));
    this.dv = new DataView(this.bytes.buffer, this.bytes.byteOffset, layout.size);
  }

  /** Reads a field as a number (pointers and sizes as numbers; they fit in 53 bits). */
  get(f: F): number {
    const [off, type] = this.layout.fields[f];
    const dv = this.dv;
    switch (type) {
      case "i8":
        return dv.getInt8(off);
      case "bool":
        return dv.getUint8(off);
      case "i32":
        return dv.getInt32(off, true);
      case "u32":
        return dv.getUint32(off, true);
      case "f32":
        return dv.getFloat32(off, true);
      case "f64":
        return dv.getFloat64(off, true);
      case "ptr":
      case "usize":
        return Number(dv.getBigUint64(off, true));
    }
  }

  /** Writes a field. */
  set(f: F, v: number | boolean): this {
    const [off, type] = this.layout.fields[f];
    const n = typeof v === "boolean" ? (v ? 1 : 0) : v;
    const dv = this.dv;
    switch (type) {
      case "i8":
        dv.setInt8(off, n);
        break;
      case "bool":
        dv.setUint8(off, n ? 1 : 0);
        break;
      case "i32":
        dv.setInt32(off, n, true);
        break;
      case "u32":
        dv.setUint32(off, n, true);
        break;
      case "f32":
        dv.setFloat32(off, n, true);
        break;
      case "f64":
        dv.setFloat64(off, n, true);
        break;
      case "ptr":
      case "usize":
        dv.setBigUint64(off, BigInt(n), true);
        break;
    }
    return this;
  }
}
