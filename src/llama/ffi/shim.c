// tsllm's C shim over libllama, compiled at run time by bun:ffi's `cc` (TinyCC).
// Why it exists: bun:ffi cannot pass or return structs by value, native callbacks (log, load progress,
// decode abort) must not call into JavaScript from native threads, and grammar-constrained sampling loops
// over the whole vocabulary every step (no per-token JS-to-C crossings). Struct sizes come from structs.ts via
// -D defines; each struct travels as an opaque, aligned blob, which is ABI-equivalent for structs over
// 16 bytes. Libllama's entry points are resolved with dlsym from the same library bun:ffi opened.
#include <stdint.h>
#include <stddef.h>

void *dlopen(const char *file, int mode);
void *dlsym(void *handle, const char *name);
long write(int fd, const void *buf, unsigned long n);

typedef struct { _Alignas(8) unsigned char b[MODEL_PARAMS_SIZE]; } model_params;
typedef struct { _Alignas(8) unsigned char b[CONTEXT_PARAMS_SIZE]; } context_params;
typedef struct { _Alignas(8) unsigned char b[BATCH_SIZE]; } batch_t;
typedef struct { _Alignas(8) unsigned char b[QUANTIZE_PARAMS_SIZE]; } quantize_params;
typedef struct { _Alignas(8) unsigned char b[PERF_CONTEXT_SIZE]; } perf_context;
typedef struct { _Bool no_perf; } chain_params;
typedef struct { int32_t id; float logit; float p; } token_data;                               // llama_token_data
typedef struct { token_data *data; size_t size; int64_t selected; _Bool sorted; } token_array; // llama_token_data_array

static model_params (*f_model_default)(void);
static context_params (*f_context_default)(void);
static quantize_params (*f_quantize_default)(void);
static void *(*f_model_load)(const char *, model_params);
static void *(*f_init_from_model)(void *, context_params);
static batch_t (*f_batch_init)(int32_t, int32_t, int32_t);
static void (*f_batch_free)(batch_t);
static int32_t (*f_decode)(void *, batch_t);
static int32_t (*f_encode)(void *, batch_t);
static void *(*f_chain_init)(chain_params);
static perf_context (*f_perf_context)(const void *);
static void (*f_log_set)(void *, void *);
static float *(*f_get_logits_ith)(void *, int32_t);
static void (*f_sampler_apply)(void *, token_array *);
static void (*f_sampler_accept)(void *, int32_t);
static void (*f_sampler_reset)(void *);
static int32_t (*f_sampler_sample)(void *, void *, int32_t);
static void *(*f_init_top_k)(int32_t);
static void (*f_sampler_free)(void *);
static void *(*f_chain_get)(void *, int32_t);
static int32_t (*f_chain_n)(const void *);
static int32_t (*f_token_to_piece)(const void *, int32_t, char *, int32_t, int32_t, _Bool);
static _Bool (*f_vocab_is_eog)(const void *, int32_t);

// ---- log ring: every native log line lands here; errors also go straight to stderr ----
#define RING 65536
static char ring[RING];
static uint32_t ring_head; // total bytes ever written (wraps the buffer)
static uint32_t ring_tail; // total bytes ever drained
static int stderr_min_level = 4; // GGML_LOG_LEVEL_ERROR
static int last_level = 2;

static void log_cb(int level, const char *text, void *ud) {
  (void)ud;
  if (level == 5) level = last_level; // GGML_LOG_LEVEL_CONT
  else last_level = level;
  unsigned long n = 0;
  while (text[n]) n++;
  if (level >= stderr_min_level) write(2, text, n);
  for (unsigned long i = 0; i < n; i++) ring[(ring_head + i) % RING] = text[i];
  ring_head += (uint32_t)n;
  if (ring_head - ring_tail > RING) ring_tail = ring_head - RING;
}

/** Copies undrained log text into buf; returns the byte count. */
int32_t tsllm_log_drain(char *buf, int32_t cap) {
  int32_t n = 0;
  while (ring_tail != ring_head && n < cap) buf[n++] = ring[ring_tail++ % RING];
  return n;
}

/**
 * Points llama's (process-wide) log callback at this shim's ring. Each thread that loads libllama compiles its
 * own shim, and the last one to initialise owns the callback; a thread about to read a library's reason from
 * the log (libmtmd copies llama's callback when it starts) claims it first.
 */
void tsllm_log_claim(void) { f_log_set((void *)log_cb, 0); }

/** Native log lines at or above this ggml level are written to stderr as they happen. */
void tsllm_log_stderr_level(int32_t level) { stderr_min_level = level; }

// ---- load progress: user data points at { float progress; int32_t abort; } ----
static _Bool progress_cb(float progress, void *ud) {
  volatile float *p = (volatile float *)ud;
  volatile int32_t *abort_flag = (volatile int32_t *)((char *)ud + 4);
  *p = progress;
  return *abort_flag == 0;
}
void *tsllm_progress_callback(void) { return (void *)progress_cb; }

// ---- decode abort: user data points at an int32 flag ----
static _Bool abort_cb(void *ud) { return *(volatile int32_t *)ud != 0; }
void *tsllm_abort_callback(void) { return (void *)abort_cb; }

#define RESOLVE(var, name) if (!(var = dlsym(h, name))) return -1;

/** Resolves libllama's by-value entry points and installs the log callback. 0 on success. */
int32_t tsllm_shim_init(const char *libllama_path) {
  void *h = dlopen(libllama_path, 2 /* RTLD_NOW */);
  if (!h) return -2;
  RESOLVE(f_model_default, "llama_model_default_params");
  RESOLVE(f_context_default, "llama_context_default_params");
  RESOLVE(f_quantize_default, "llama_model_quantize_default_params");
  RESOLVE(f_model_load, "llama_model_load_from_file");
  RESOLVE(f_init_from_model, "llama_init_from_model");
  RESOLVE(f_batch_init, "llama_batch_init");
  RESOLVE(f_batch_free, "llama_batch_free");
  RESOLVE(f_decode, "llama_decode");
  RESOLVE(f_encode, "llama_encode");
  RESOLVE(f_chain_init, "llama_sampler_chain_init");
  RESOLVE(f_perf_context, "llama_perf_context");
  RESOLVE(f_log_set, "llama_log_set");
  RESOLVE(f_get_logits_ith, "llama_get_logits_ith");
  RESOLVE(f_sampler_apply, "llama_sampler_apply");
  RESOLVE(f_sampler_accept, "llama_sampler_accept");
  RESOLVE(f_sampler_reset, "llama_sampler_reset");
  RESOLVE(f_sampler_sample, "llama_sampler_sample");
  RESOLVE(f_init_top_k, "llama_sampler_init_top_k");
  RESOLVE(f_sampler_free, "llama_sampler_free");
  RESOLVE(f_chain_get, "llama_sampler_chain_get");
  RESOLVE(f_chain_n, "llama_sampler_chain_n");
  RESOLVE(f_token_to_piece, "llama_token_to_piece");
  RESOLVE(f_vocab_is_eog, "llama_vocab_is_eog");
  f_log_set((void *)log_cb, 0);
  return 0;
}

void tsllm_model_default_params(model_params *out) { *out = f_model_default(); }
void tsllm_context_default_params(context_params *out) { *out = f_context_default(); }
void tsllm_quantize_default_params(quantize_params *out) { *out = f_quantize_default(); }
void *tsllm_model_load(const char *path, const model_params *p) { return f_model_load(path, *p); }
void *tsllm_init_from_model(void *model, const context_params *p) { return f_init_from_model(model, *p); }
void tsllm_batch_init(batch_t *out, int32_t n_tokens, int32_t embd, int32_t n_seq_max) {
  *out = f_batch_init(n_tokens, embd, n_seq_max);
}
void tsllm_batch_free(const batch_t *b) { f_batch_free(*b); }
int32_t tsllm_decode(void *ctx, const batch_t *b) { return f_decode(ctx, *b); }
int32_t tsllm_encode(void *ctx, const batch_t *b) { return f_encode(ctx, *b); }
void *tsllm_sampler_chain_init(_Bool no_perf) {
  chain_params p;
  p.no_perf = no_perf;
  return f_chain_init(p);
}
void tsllm_perf_context(const void *ctx, perf_context *out) { *out = f_perf_context(ctx); }

// The grammar-sampling part of the shim lives in prefix-groups.c and grammar-sampling.c; native.ts
// compiles the three files as one source, in that order.

void *malloc(unsigned long n);
void *calloc(unsigned long n, unsigned long size);
void free(void *p);
