/**
 * The bun:ffi symbol tables: libllama, libggml and the C shim. Declarative and dull — each entry mirrors
 * llama.h / ggml-backend.h with the C signature as a comment. Functions taking or returning structs by value
 * are not here; they go through shim.c.
 */
import { FFIType as F } from "bun:ffi";

const { ptr, cstring, i32, u32, u64, f32, bool, void: v, i64 } = F;
// size_t: a number while it fits in 53 bits (always, for sizes and counts here).
const usize = F.u64_fast;

/** libllama entry points that take only pointers and scalars. */
export const llamaSymbols = {
  llama_backend_init: { args: [], returns: v }, // void (void)
  llama_backend_free: { args: [], returns: v }, // void (void)
  llama_print_system_info: { args: [], returns: cstring }, // const char* (void)
  llama_supports_gpu_offload: { args: [], returns: bool }, // bool (void)
  llama_supports_mmap: { args: [], returns: bool },
  llama_supports_mlock: { args: [], returns: bool },
  llama_max_devices: { args: [], returns: usize },
  llama_max_parallel_sequences: { args: [], returns: usize },
  llama_time_us: { args: [], returns: i64 },
  // model
  llama_model_free: { args: [ptr], returns: v }, // void (llama_model*)
  llama_model_get_vocab: { args: [ptr], returns: ptr }, // const llama_vocab* (const llama_model*)
  llama_model_n_ctx_train: { args: [ptr], returns: i32 },
  llama_model_n_embd: { args: [ptr], returns: i32 },
  llama_model_n_layer: { args: [ptr], returns: i32 },
  llama_model_n_head: { args: [ptr], returns: i32 },
  llama_model_n_head_kv: { args: [ptr], returns: i32 },
  llama_model_n_swa: { args: [ptr], returns: i32 },
  llama_model_n_cls_out: { args: [ptr], returns: u32 },
  llama_model_size: { args: [ptr], returns: u64 },
  llama_model_n_params: { args: [ptr], returns: u64 },
  llama_model_has_encoder: { args: [ptr], returns: bool },
  llama_model_has_decoder: { args: [ptr], returns: bool },
  llama_model_is_recurrent: { args: [ptr], returns: bool },
  llama_model_desc: { args: [ptr, ptr, usize], returns: i32 }, // int32 (model*, char* buf, size_t)
  llama_model_meta_count: { args: [ptr], returns: i32 },
  llama_model_meta_key_by_index: { args: [ptr, i32, ptr, usize], returns: i32 },
  llama_model_meta_val_str_by_index: { args: [ptr, i32, ptr, usize], returns: i32 },
  llama_model_meta_val_str: { args: [ptr, cstring, ptr, usize], returns: i32 }, // (model*, const char* key, char*, size_t)
  llama_model_chat_template: { args: [ptr, ptr], returns: ptr }, // const char* (model*, const char* name|NULL)
  llama_model_decoder_start_token: { args: [ptr], returns: i32 },
  llama_model_quantize: { args: [cstring, cstring, ptr], returns: u32 }, // (in, out, const params*)
  // context
  llama_free: { args: [ptr], returns: v }, // void (llama_context*)
  llama_n_ctx: { args: [ptr], returns: u32 },
  llama_n_batch: { args: [ptr], returns: u32 },
  llama_n_ubatch: { args: [ptr], returns: u32 },
  llama_n_seq_max: { args: [ptr], returns: u32 },
  llama_get_memory: { args: [ptr], returns: ptr }, // llama_memory_t (const ctx*)
  llama_pooling_type: { args: [ptr], returns: i32 },
  llama_set_n_threads: { args: [ptr, i32, i32], returns: v },
  llama_set_embeddings: { args: [ptr, bool], returns: v },
  llama_set_abort_callback: { args: [ptr, ptr, ptr], returns: v }, // (ctx*, ggml_abort_callback, void*)
  llama_synchronize: { args: [ptr], returns: v },
  llama_get_logits_ith: { args: [ptr, i32], returns: ptr }, // float* (ctx*, int32 i)
  llama_get_embeddings_ith: { args: [ptr, i32], returns: ptr },
  llama_get_embeddings_seq: { args: [ptr, i32], returns: ptr }, // float* (ctx*, llama_seq_id)
  llama_perf_context_reset: { args: [ptr], returns: v },
  llama_attach_threadpool: { args: [ptr, ptr, ptr], returns: v }, // (ctx*, ggml_threadpool_t, ggml_threadpool_t batch|NULL)
  llama_detach_threadpool: { args: [ptr], returns: v },
  // memory (KV cache)
  llama_memory_clear: { args: [ptr, bool], returns: v }, // (mem, bool data)
  llama_memory_seq_rm: { args: [ptr, i32, i32, i32], returns: bool }, // (mem, seq, p0, p1)
  llama_memory_seq_cp: { args: [ptr, i32, i32, i32, i32], returns: v }, // (mem, src, dst, p0, p1)
  llama_memory_seq_keep: { args: [ptr, i32], returns: v },
  llama_memory_seq_add: { args: [ptr, i32, i32, i32, i32], returns: v }, // (mem, seq, p0, p1, delta)
  llama_memory_seq_div: { args: [ptr, i32, i32, i32, i32], returns: v },
  llama_memory_seq_pos_min: { args: [ptr, i32], returns: i32 },
  llama_memory_seq_pos_max: { args: [ptr, i32], returns: i32 },
  llama_memory_can_shift: { args: [ptr], returns: bool },
  // per-sequence state
  llama_state_seq_get_size: { args: [ptr, i32], returns: usize }, // (ctx*, seq)
  llama_state_seq_get_data: { args: [ptr, ptr, usize, i32], returns: usize }, // (ctx*, uint8* dst, size, seq)
  llama_state_seq_set_data: { args: [ptr, ptr, usize, i32], returns: usize }, // (ctx*, const uint8*, size, dest)
  // vocab
  llama_vocab_n_tokens: { args: [ptr], returns: i32 },
  llama_vocab_type: { args: [ptr], returns: i32 },
  llama_vocab_bos: { args: [ptr], returns: i32 },
  llama_vocab_eos: { args: [ptr], returns: i32 },
  llama_vocab_eot: { args: [ptr], returns: i32 },
  llama_vocab_nl: { args: [ptr], returns: i32 },
  llama_vocab_is_eog: { args: [ptr, i32], returns: bool },
  llama_vocab_is_control: { args: [ptr, i32], returns: bool },
  llama_vocab_get_add_bos: { args: [ptr], returns: bool },
  llama_vocab_get_add_eos: { args: [ptr], returns: bool },
  llama_vocab_sep: { args: [ptr], returns: i32 }, // sentence separator, -1 when none
  llama_vocab_get_add_sep: { args: [ptr], returns: bool },
  llama_vocab_get_text: { args: [ptr, i32], returns: cstring },
  llama_vocab_get_attr: { args: [ptr, i32], returns: i32 }, // enum llama_token_attr (vocab*, llama_token)
  // int32 (vocab*, const char* text, int32 len, llama_token* out, int32 max, bool add_special, bool parse_special)
  llama_tokenize: { args: [ptr, ptr, i32, ptr, i32, bool, bool], returns: i32 },
  // int32 (vocab*, llama_token, char* buf, int32 len, int32 lstrip, bool special)
  llama_token_to_piece: { args: [ptr, i32, ptr, i32, i32, bool], returns: i32 },
  // int32 (vocab*, const llama_token*, int32 n, char* text, int32 max, bool remove_special, bool unparse_special)
  llama_detokenize: { args: [ptr, ptr, i32, ptr, i32, bool, bool], returns: i32 },
  // samplers
  llama_sampler_chain_add: { args: [ptr, ptr], returns: v }, // takes ownership of the second
  llama_sampler_sample: { args: [ptr, ptr, i32], returns: i32 }, // (smpl*, ctx*, idx)
  llama_sampler_accept: { args: [ptr, i32], returns: v },
  llama_sampler_apply: { args: [ptr, ptr], returns: v }, // (smpl*, llama_token_data_array*)
  llama_sampler_reset: { args: [ptr], returns: v },
  llama_sampler_free: { args: [ptr], returns: v },
  llama_sampler_init_greedy: { args: [], returns: ptr },
  llama_sampler_init_dist: { args: [u32], returns: ptr }, // (seed)
  llama_sampler_init_top_k: { args: [i32], returns: ptr },
  llama_sampler_init_top_p: { args: [f32, usize], returns: ptr }, // (p, min_keep)
  llama_sampler_init_min_p: { args: [f32, usize], returns: ptr },
  llama_sampler_init_typical: { args: [f32, usize], returns: ptr },
  llama_sampler_init_temp: { args: [f32], returns: ptr },
  llama_sampler_init_temp_ext: { args: [f32, f32, f32], returns: ptr },
  llama_sampler_init_mirostat: { args: [i32, u32, f32, f32, i32], returns: ptr }, // (n_vocab, seed, tau, eta, m)
  llama_sampler_init_mirostat_v2: { args: [u32, f32, f32], returns: ptr }, // (seed, tau, eta)
  llama_sampler_init_grammar: { args: [ptr, cstring, cstring], returns: ptr }, // (vocab*, grammar, root)
  // (vocab*, grammar, root, const char** trigger_patterns, size_t n, const llama_token* trigger_tokens, size_t n)
  llama_sampler_init_grammar_lazy_patterns: {
    args: [ptr, cstring, cstring, ptr, usize, ptr, usize],
    returns: ptr,
  },
  llama_sampler_init_penalties: { args: [i32, i32, f32, f32, f32], returns: ptr }, // (n_vocab, last_n, repeat, freq, present)
  llama_sampler_init_logit_bias: { args: [i32, i32, ptr], returns: ptr }, // (n_vocab, n, const llama_logit_bias*)
} as const;

/** libggml (backend registry) entry points. */
export const ggmlSymbols = {
  ggml_backend_load_all_from_path: { args: [cstring], returns: v }, // void (const char* dir)
  ggml_backend_dev_count: { args: [], returns: usize },
  ggml_backend_dev_get: { args: [usize], returns: ptr }, // ggml_backend_dev_t (size_t)
  ggml_backend_reg_count: { args: [], returns: usize },
  ggml_backend_reg_by_name: { args: [cstring], returns: ptr }, // ggml_backend_reg_t (const char*)
  ggml_backend_reg_get: { args: [usize], returns: ptr }, // ggml_backend_reg_t (size_t index)
  ggml_backend_load: { args: [cstring], returns: ptr }, // ggml_backend_reg_t (const char* path)
  ggml_backend_register: { args: [ptr], returns: v }, // void (ggml_backend_reg_t)
  ggml_backend_dev_by_name: { args: [cstring], returns: ptr }, // ggml_backend_dev_t (const char* name)
} as const;

/** libggml-base (device queries) entry points. */
export const ggmlBaseSymbols = {
  ggml_backend_dev_name: { args: [ptr], returns: cstring },
  ggml_backend_dev_description: { args: [ptr], returns: cstring },
  ggml_backend_dev_memory: { args: [ptr, ptr, ptr], returns: v }, // (dev, size_t* free, size_t* total)
  ggml_backend_dev_type: { args: [ptr], returns: i32 }, // 0 CPU, 1 GPU, 2 IGPU, 3 ACCEL
  ggml_backend_dev_get_props: { args: [ptr, ptr], returns: v },
  ggml_backend_reg_get_proc_address: { args: [ptr, cstring], returns: ptr }, // void* (reg, const char* name)
  ggml_backend_reg_name: { args: [ptr], returns: cstring }, // const char* (ggml_backend_reg_t)
  ggml_backend_reg_dev_count: { args: [ptr], returns: usize }, // size_t (ggml_backend_reg_t)
  ggml_backend_reg_dev_get: { args: [ptr, usize], returns: ptr }, // ggml_backend_dev_t (reg, size_t index)
  ggml_threadpool_params_init: { args: [ptr, i32], returns: v }, // (struct ggml_threadpool_params*, int n_threads)
} as const;

/** Entry points the CPU backend exposes through ggml_backend_reg_get_proc_address (it is loaded at run time). */
export const cpuBackendSymbols = {
  ggml_threadpool_new: { args: [ptr], returns: ptr }, // ggml_threadpool_t (struct ggml_threadpool_params*)
  ggml_threadpool_free: { args: [ptr], returns: v },
} as const;

/** Exported by the CPU backend but not in its proc-address table: reached through loaded-library.ts. */
export const cpuBackendExtraSymbols = {
  ggml_threadpool_pause: { args: [ptr], returns: v }, // (struct ggml_threadpool*); the next compute resumes it
} as const;

/** The RPC backend (libggml-rpc.so): the two its proc-address table hands out, as CFunction signatures. */
export const rpcProcSymbols = {
  ggml_backend_rpc_add_server: { args: [cstring], returns: ptr }, // ggml_backend_reg_t (const char* endpoint)
  // void (const char* endpoint, const char* cache_dir|NULL, size_t n_threads, size_t n_devices, ggml_backend_dev_t*)
  ggml_backend_rpc_start_server: { args: [cstring, ptr, usize, usize, ptr], returns: v },
} as const;

/** Exported by libggml-rpc.so but not in its proc-address table: reached through loaded-library.ts. */
export const rpcExtraSymbols = {
  tsllm_rpc_proto_version: { args: [], returns: u32 }, // unsigned (void): major << 16 | minor << 8 | patch
} as const;

/** The C shim's exports (shim.c). */
export const shimSymbols = {
  tsllm_shim_init: { args: [cstring], returns: i32 },
  tsllm_log_drain: { args: [ptr, i32], returns: i32 },
  tsllm_log_stderr_level: { args: [i32], returns: v },
  tsllm_log_claim: { args: [], returns: v },
  tsllm_progress_callback: { args: [], returns: ptr },
  tsllm_abort_callback: { args: [], returns: ptr },
  tsllm_model_default_params: { args: [ptr], returns: v },
  tsllm_context_default_params: { args: [ptr], returns: v },
  tsllm_quantize_default_params: { args: [ptr], returns: v },
  tsllm_model_load: { args: [cstring, ptr], returns: ptr },
  tsllm_init_from_model: { args: [ptr, ptr], returns: ptr },
  tsllm_batch_init: { args: [ptr, i32, i32, i32], returns: v },
  tsllm_batch_free: { args: [ptr], returns: v },
  tsllm_decode: { args: [ptr, ptr], returns: i32 },
  tsllm_encode: { args: [ptr, ptr], returns: i32 },
  tsllm_sampler_chain_init: { args: [bool], returns: ptr },
  tsllm_perf_context: { args: [ptr, ptr], returns: v },
  // int32 n_groups (const llama_vocab*, int32 n_vocab, int32* group_of, int32* probe, int32* parent)
  tsllm_vocab_groups: { args: [ptr, i32, ptr, ptr, ptr], returns: i32 },
  // gsampler* (llama_sampler* chain, llama_sampler* grammar, int32 n_vocab, int32 n_pre, int32 top_k, bool stateful)
  tsllm_gsampler_new: { args: [ptr, ptr, i32, i32, i32, bool], returns: ptr },
  // int32 (gsampler*, const llama_vocab*, const int32* group_of, int32 n_groups, const int32* probe,
  //        const int32* parent, const uint32* excluded, int32 n_excluded)
  tsllm_gsampler_use_groups: { args: [ptr, ptr, ptr, i32, ptr, ptr, ptr, i32], returns: i32 },
  tsllm_gsampler_sample: { args: [ptr, ptr, i32, bool], returns: i32 }, // (gsampler*, ctx*, idx, grammar_first)
  tsllm_gsampler_stats: { args: [ptr, ptr], returns: v }, // (const gsampler*, int32 out[3])
  tsllm_gsampler_reset: { args: [ptr], returns: v },
  tsllm_gsampler_free: { args: [ptr], returns: v },
} as const;
