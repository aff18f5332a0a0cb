/**
 * Bounds the GGUF reader and validator enforce. The file-format limits keep a hostile header from making the
 * reader allocate or loop on numbers it has not checked; they sit far above what any real model uses (the
 * largest vocabularies have ~262k tokens, the largest headers a few tens of MiB). The model limits are
 * llama.cpp's own (llama-hparams.h, ggml.h), where breaking them aborts the process instead of failing a load.
 */

/** Bytes of header (metadata and tensor table) the reader loads and parses at most. */
export const MAX_HEADER_BYTES = 256 * 1024 * 1024;

/** Elements of one metadata array at most. */
export const MAX_ARRAY_ITEMS = 1 << 24;

/** Metadata key/value pairs at most. */
export const MAX_KV_COUNT = 1 << 20;

/** Tensors at most. */
export const MAX_TENSOR_COUNT = 1 << 20;

/** GGML_MAX_DIMS: dimensions of a tensor. */
export const MAX_DIMS = 4;

/** GGML_MAX_NAME: bytes of a tensor name, including the terminating NUL. */
export const MAX_TENSOR_NAME = 64;

/** ggml's TENSOR_ALIGNMENT: tensor data mapped in place from the file must start on such a boundary. */
export const TENSOR_ALIGNMENT = 32;

/** LLAMA_MAX_LAYERS: repeating blocks (`<arch>.block_count`) llama.cpp accepts. */
export const LLAMA_MAX_LAYERS = 512;

/** LLAMA_MAX_EXPERTS: experts (`<arch>.expert_count`) llama.cpp accepts. */
export const LLAMA_MAX_EXPERTS = 1024;

/** Largest value a uint32 hyper-parameter can hold. */
export const U32_MAX = 0xffffffff;
