/**
 * The bun:ffi symbol table of libmtmd.so (llama.cpp's multimodal library, built by
 * scripts/build-native-extras.sh): its pointer-only C API, and the `tsllm_mtmd_*` entry points the build adds
 * for calls that pass structs by value or may throw C++ exceptions. Each entry mirrors mtmd.h.
 */
import { FFIType as F } from "bun:ffi";

const { ptr, cstring, i32, u32, bool, void: v } = F;
const usize = F.u64_fast;

/** libmtmd entry points. */
export const mtmdSymbols = {
  tsllm_mtmd_shim_version: { args: [], returns: u32 }, // unsigned (void)
  // mtmd_context* (const char* mmproj, const llama_model*, int n_threads, bool use_gpu); null on failure
  tsllm_mtmd_init: { args: [cstring, ptr, i32, bool], returns: ptr },
  // mtmd_bitmap* (const mtmd_context*, const unsigned char* buf, size_t len, const char* id); null: not an image
  tsllm_mtmd_image_from_buf: { args: [ptr, ptr, usize, cstring], returns: ptr },
  // int (mtmd_context*, mtmd_input_chunks* out, const char* text, size_t len, bool add_special,
  //      bool parse_special, const mtmd_bitmap** bitmaps, size_t n)
  tsllm_mtmd_tokenize: { args: [ptr, ptr, ptr, usize, bool, bool, ptr, usize], returns: i32 },
  // int (mtmd_context*, llama_context*, const mtmd_input_chunk*, int n_past, int seq, int n_batch, int* new_n_past)
  tsllm_mtmd_eval_chunk: { args: [ptr, ptr, ptr, i32, i32, i32, ptr], returns: i32 },
  mtmd_default_marker: { args: [], returns: cstring }, // const char* (void)
  mtmd_free: { args: [ptr], returns: v }, // void (mtmd_context*)
  mtmd_support_vision: { args: [ptr], returns: bool }, // bool (const mtmd_context*)
  mtmd_decode_use_mrope: { args: [ptr], returns: bool }, // bool (const mtmd_context*)
  // bool (const mtmd_context*, const mtmd_input_chunk*)
  mtmd_decode_use_non_causal: { args: [ptr, ptr], returns: bool },
  mtmd_get_marker: { args: [ptr], returns: cstring }, // const char* (const mtmd_context*)
  mtmd_bitmap_free: { args: [ptr], returns: v }, // void (mtmd_bitmap*)
  mtmd_bitmap_get_nx: { args: [ptr], returns: u32 }, // uint32_t (const mtmd_bitmap*)
  mtmd_bitmap_get_ny: { args: [ptr], returns: u32 },
  mtmd_input_chunks_init: { args: [], returns: ptr }, // mtmd_input_chunks* (void)
  mtmd_input_chunks_size: { args: [ptr], returns: usize }, // size_t (const mtmd_input_chunks*)
  mtmd_input_chunks_get: { args: [ptr, usize], returns: ptr }, // const mtmd_input_chunk* (chunks*, size_t)
  mtmd_input_chunks_free: { args: [ptr], returns: v }, // void (mtmd_input_chunks*)
  mtmd_input_chunk_get_type: { args: [ptr], returns: i32 }, // enum mtmd_input_chunk_type (const chunk*)
  // const llama_token* (const chunk*, size_t* n_tokens_output)
  mtmd_input_chunk_get_tokens_text: { args: [ptr, ptr], returns: ptr },
  mtmd_input_chunk_get_n_tokens: { args: [ptr], returns: usize }, // size_t (const chunk*)
  mtmd_input_chunk_get_n_pos: { args: [ptr], returns: i32 }, // llama_pos (const chunk*)
  mtmd_input_chunk_get_id: { args: [ptr], returns: cstring }, // const char* (const chunk*)
} as const;

/** mtmd_input_chunk_type. */
export const CHUNK_TYPE = { text: 0, image: 1, audio: 2 } as const;

/** The shim version this table matches (tsllm_mtmd_shim_version). */
export const MTMD_SHIM_VERSION = 1;
