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

// ---- grammar-constrained sampling (llama.cpp's common_sampler_sample, plus an exact fast resample) ----
// The grammar sampler is kept out of the chain: checking a grammar against every token of a 150k-token
// vocabulary costs tens of milliseconds, so the chain picks from every candidate and only its pick is
// checked. A rejected pick is resampled as "grammar, then chain". When the chain's first cut is top-k (or
// greedy) that resample is done exactly with far fewer grammar checks: candidates are checked in falling-
// logit order until k pass, and tokens are skipped by prefix group once a group's probe is rejected.
//
// Prefix groups: a grammar accepts a token only if it accepts every prefix of its text (it matches code
// point by code point), so when the token whose whole text is "x" (a probe) is rejected, so is every token
// whose text starts with "x". Root groups: the first character if ASCII, else the UTF-8 lead byte. Child
// groups: an ASCII character and the next byte (ASCII or lead byte); a lead byte and its code point. A probe
// ending in a lone lead byte is checked by llama-grammar as "any code point this could complete to", which
// is exact unless a negated class excludes a non-ASCII code point in that range (the group then stays
// open). Token rules (<[id]>, <tok>) match by id, not text: a grammar with them is sampled without groups.

void *malloc(unsigned long n);
void *calloc(unsigned long n, unsigned long size);
void free(void *p);

#define MIN_GROUP 4       // a probe must be able to save at least a few checks
#define CP_LIMIT 0x110000 // Unicode; other decoded values (invalid UTF-8) get no group
#define PAIRS (128 * 256)
#define ROOT -1           // a group without parent

/**
 * Reads the first code point of `p` as llama-grammar's decode_utf8 does (clean state). Returns its byte
 * length with *value set, or 0 if `p` ends inside it (*lo..*hi: the code points it could complete to, as
 * llama_grammar_match_partial_char computes them), or -1 when the grammar rejects such text outright.
 */
static int32_t first_code_point(const unsigned char *p, int32_t n, uint32_t *value, uint32_t *lo, uint32_t *hi) {
  static const int lookup[16] = { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2, 2, 3, 4 };
  if (n <= 0) return -1;
  int32_t len = lookup[p[0] >> 4];
  if (len == 0) return -1;
  uint32_t v = p[0] & ((1 << (8 - len)) - 1);
  int32_t i = 1;
  for (; i < len && i < n; i++) v = (v << 6) + (p[i] & 0x3F);
  if (i == len) {
    *value = v;
    return v == 0 || v >= CP_LIMIT ? -1 : len; // 0 ends the grammar's decoded text
  }
  int32_t remain = len - i;
  if (remain == 1 && v < 2) return -1;
  *lo = v << (remain * 6);
  *hi = *lo | ((1u << (remain * 6)) - 1);
  if (*lo == 0) *lo = remain == 2 ? 1u << 11 : remain == 3 ? 1u << 16 : 0;
  return 0;
}

/**
 * Whether the text's first code point is ASCII, or lies (complete or not) within what its lone lead byte
 * could complete to: then a probe ending in that byte stands for it.
 */
static int32_t within_lead(const unsigned char *p, int32_t n) {
  uint32_t v, lo, hi, llo, lhi;
  if (p[0] < 0x80) return 1;
  if (first_code_point(p, 1, &v, &llo, &lhi) != 0) return 0;
  int32_t len = first_code_point(p, n, &v, &lo, &hi);
  return len > 0 ? v >= llo && v <= lhi : len == 0 && lo >= llo && hi <= lhi;
}

/** Text length as the grammar sees it (it stops at a NUL byte). */
static int32_t piece(const void *vocab, int32_t t, unsigned char *buf, int32_t cap) {
  int32_t n = f_token_to_piece(vocab, t, (char *)buf, cap, 0, 1);
  if (n < 0 || n > cap) return -1;
  for (int32_t i = 0; i < n; i++)
    if (buf[i] == 0) return i;
  return n;
}

/** The group of a key slot, created on first use: slot = token count before, -1 (none) or -2 - gid after. */
static int32_t group_for(int32_t *slot, int32_t probe_tok, int32_t parent, int32_t *probe, int32_t *par, int32_t *n) {
  if (*slot >= 0) {
    if (*slot < MIN_GROUP || probe_tok < 0) {
      *slot = -1;
    } else {
      probe[*n] = probe_tok;
      par[*n] = parent;
      *slot = -2 - (*n)++;
    }
  }
  return *slot == -1 ? -1 : -2 - *slot;
}

/** The lead byte's group, if `c` lies in the code points its lone-byte probe stands for. */
static int32_t lead_group(uint32_t c, int32_t *lead_count, const int32_t *lead_probe, int32_t *probe, int32_t *par, int32_t *n) {
  unsigned char b[4];
  int32_t len = c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  b[0] = (unsigned char)(len == 2 ? 0xC0 | (c >> 6) : len == 3 ? 0xE0 | (c >> 12) : 0xF0 | (c >> 18));
  uint32_t v, lo, hi;
  if (first_code_point(b, 1, &v, &lo, &hi) != 0 || c < lo || c > hi) return -1;
  return group_for(&lead_count[b[0]], lead_probe[b[0]], ROOT, probe, par, n);
}

/**
 * Prefix groups of a vocabulary: group_of[token] (-1: none, always checked), and per group its probe token
 * and parent group (ROOT or a root's id). Arrays hold n_vocab entries. Returns the group
 * count, -1 when out of memory.
 */
int32_t tsllm_vocab_groups(const void *vocab, int32_t n_vocab, int32_t *group_of, int32_t *probe, int32_t *parent) {
  int32_t *cp_count = calloc(CP_LIMIT, 4), *cp_probe = malloc(CP_LIMIT * 4);
  int32_t *pair_count = calloc(PAIRS, 4), *pair_probe = malloc(PAIRS * 4);
  int32_t *key = malloc((unsigned long)n_vocab * 4), *pair_of = malloc((unsigned long)n_vocab * 4);
  int32_t lead_count[256], lead_probe[256];
  unsigned char buf[512];
  int32_t n_groups = -1;
  if (!cp_count || !cp_probe || !pair_count || !pair_probe || !key || !pair_of) goto out;
  for (int32_t i = 0; i < CP_LIMIT; i++) cp_probe[i] = -1;
  for (int32_t i = 0; i < PAIRS; i++) pair_probe[i] = -1;
  for (int32_t i = 0; i < 256; i++) lead_count[i] = 0, lead_probe[i] = -1;
  // Pass 1: each token's key (code point, or -2 - lead byte when its text ends inside the first one).
  for (int32_t t = 0; t < n_vocab; t++) {
    uint32_t c = 0, lo = 0, hi = 0;
    int32_t n = piece(vocab, t, buf, sizeof buf);
    int32_t len = f_vocab_is_eog(vocab, t) ? -1 : first_code_point(buf, n, &c, &lo, &hi);
    key[t] = -1;
    pair_of[t] = -1;
    if (len < 0) continue;
    if (buf[0] >= 0x80) lead_count[buf[0]]++;
    if (len == 0) {
      if (n == 1) lead_probe[buf[0]] = t;
      if (within_lead(buf, n)) key[t] = -2 - buf[0];
      continue;
    }
    key[t] = (int32_t)c;
    cp_count[c]++;
    if (n == len && cp_probe[c] < 0) cp_probe[c] = t;
    if (c < 128 && n >= 2 && within_lead(buf + 1, n - 1)) {
      int32_t k = (int32_t)c * 256 + buf[1];
      pair_of[t] = k;
      pair_count[k]++;
      if (n == 2 && pair_probe[k] < 0) pair_probe[k] = t;
    }
  }
  // Pass 2: groups, created on first use (parents first).
  n_groups = 0;
  for (int32_t t = 0; t < n_vocab; t++) {
    int32_t k = key[t], g = -1;
    if (k <= -2) {
      g = group_for(&lead_count[-2 - k], lead_probe[-2 - k], ROOT, probe, parent, &n_groups);
    } else if (k >= 128) {
      int32_t root = lead_group((uint32_t)k, lead_count, lead_probe, probe, parent, &n_groups);
      g = group_for(&cp_count[k], cp_probe[k], root < 0 ? ROOT : root, probe, parent, &n_groups);
      if (g < 0) g = root;
    } else if (k >= 0) {
      g = group_for(&cp_count[k], cp_probe[k], ROOT, probe, parent, &n_groups);
      if (g >= 0 && pair_of[t] >= 0) {
        int32_t g2 = group_for(&pair_count[pair_of[t]], pair_probe[pair_of[t]], g, probe, parent, &n_groups);
        if (g2 >= 0) g = g2;
      }
    }
    group_of[t] = g;
  }
out:
  free(cp_count);
  free(cp_probe);
  free(pair_count);
  free(pair_probe);
  free(key);
  free(pair_of);
  return n_groups;
}

typedef struct {
  void *chain;     // borrowed: the caller frees it
  void *grammar;   // owned
  token_data *cur; // n_vocab candidates
  int32_t n_vocab;
  int32_t n_pre;   // leading chain samplers that only shift logits (logit bias, penalties)
  int32_t top_k;   // the next sampler keeps this many best tokens (greedy: 1); 0 = no exact shortcut
  _Bool stateful;  // a chain sampler keeps history on accept (penalties): never accept a rejected pick
  void *first;     // llama's top-k(FIRST_ROUND): an in-place partial sort, the resample's first round
  const int32_t *group_of, *probe, *parent; // borrowed prefix groups (n_groups 0: none)
  int32_t n_groups;
  unsigned char *open;  // per group: 1 while its probe passes the grammar
  unsigned char *fixed; // per group: 1 if its probe is not exact for this grammar (the group stays open)
  token_data *probes;   // scratch for the probe check
  int32_t n_sampled, n_rejected, n_checked;
} gsampler;

#define N_BUCKETS 1024
#define FIRST_ROUND 128 // llama's top-k sorts up to 128 in place (std::partial_sort), keeping every candidate
#define BANNED (-1e20f) // logits at or below this (bans, -inf) sort after every other candidate

static int is_neg_inf(float x) {
  union { float f; uint32_t u; } v;
  v.f = x;
  return v.u == 0xff800000u;
}

static void fill(gsampler *g, const float *logits) {
  token_data *d = g->cur;
  for (int32_t i = 0; i < g->n_vocab; i++) {
    d[i].id = i;
    d[i].logit = logits[i];
    d[i].p = 0.0f;
  }
}

static int32_t selected(const token_array *a) {
  if (a->selected < 0 || a->selected >= (int64_t)a->size) return -2;
  return a->data[a->selected].id;
}

static void apply_range(gsampler *g, token_array *a, int32_t from, int32_t to) {
  for (int32_t i = from; i < to; i++) f_sampler_apply(f_chain_get(g->chain, i), a);
}

/** Grammar over every candidate, then the whole chain: the reference procedure. */
static int32_t sample_full(gsampler *g, const float *logits) {
  fill(g, logits);
  token_array a = { g->cur, (size_t)g->n_vocab, -1, 0 };
  f_sampler_apply(g->grammar, &a);
  g->n_checked += g->n_vocab;
  f_sampler_apply(g->chain, &a);
  return selected(&a);
}

/** Checks every group's probe (a child only when its parent passed) and records which stay open. */
static void check_groups(gsampler *g) {
  for (int32_t pass = 0; pass < 2; pass++) {
    int32_t n = 0;
    for (int32_t i = 0; i < g->n_groups; i++) {
      int32_t par = g->parent[i];
      if (pass == 0 ? par >= 0 : par < 0) continue;
      g->open[i] = g->fixed[i] && (pass == 0 || g->open[par]);
      if (g->fixed[i] || (pass == 1 && !g->open[par])) continue;
      g->probes[n].id = g->probe[i];
      g->probes[n].logit = 0.0f;
      g->probes[n++].p = (float)i;
    }
    token_array a = { g->probes, (size_t)n, -1, 0 };
    f_sampler_apply(g->grammar, &a);
    g->n_checked += n;
    for (int32_t i = 0; i < n; i++) g->open[(int32_t)g->probes[i].p] = !is_neg_inf(g->probes[i].logit);
  }
}

/** Shell sort by token id: the chain then sees candidates in vocabulary order, as in a full array. */
static void sort_by_id(token_data *d, int32_t n) {
  for (int32_t gap = n / 2; gap > 0; gap = gap == 2 ? 1 : gap * 5 / 11) {
    for (int32_t i = gap; i < n; i++) {
      token_data t = d[i];
      int32_t j = i;
      for (; j >= gap && d[j - gap].id > t.id; j -= gap) d[j] = d[j - gap];
      d[j] = t;
    }
  }
}

/** Moves the candidates of [from, n) that `keep` accepts to the front of that range; returns their end. */
static int32_t partition(gsampler *g, token_data *d, int32_t from, int32_t n, float lo_b, float hi_b) {
  int32_t j = from;
  for (int32_t i = from; i < n; i++) {
    int32_t keep;
    if (lo_b >= 0.0f) {
      keep = d[i].p >= lo_b && d[i].p < hi_b; // by bucket
    } else {
      int32_t gr = g->group_of[d[i].id]; // by open group
      keep = gr < 0 || g->open[gr];
    }
    if (keep) {
      token_data t = d[i];
      d[i] = d[j];
      d[j++] = t;
    }
  }
  return j;
}

/** Checks [from, from + m) against the grammar and appends those that pass to [0, valid); returns valid. */
static int32_t check(gsampler *g, token_data *d, int32_t from, int32_t m, int32_t valid) {
  token_array chunk = { d + from, (size_t)m, -1, 0 };
  f_sampler_apply(g->grammar, &chunk);
  g->n_checked += m;
  for (int32_t i = from; i < from + m; i++)
    if (!is_neg_inf(d[i].logit)) d[valid++] = d[i];
  return valid;
}

/** Drops the unchecked candidates [from, n) of groups whose probe fails; returns the new end. */
static int32_t drop_closed_groups(gsampler *g, token_data *d, int32_t from, int32_t n) {
  check_groups(g);
  return partition(g, d, from, n, -1.0f, 0.0f);
}

/**
 * Checks the unchecked candidates [checked, n) in falling-logit order, bucket by bucket, until top_k
 * have passed; groups are checked after the first round unless `grouped`. Returns the passed count.
 */
static int32_t check_by_bucket(gsampler *g, token_data *d, int32_t checked, int32_t n, int32_t valid, int32_t grouped) {
  float hi = BANNED, lo = 0.0f;
  int32_t any = 0;
  for (int32_t i = checked; i < n; i++) {
    float l = d[i].logit;
    if (!(l > BANNED)) continue;
    if (!any || l > hi) hi = l;
    if (!any || l < lo) lo = l;
    any = 1;
  }
  float scale = any ? (float)(N_BUCKETS - 1) / (hi - lo + 1e-6f) : 0.0f;
  int32_t counts[N_BUCKETS + 1];
  for (int32_t b = 0; b <= N_BUCKETS; b++) counts[b] = 0;
  for (int32_t i = checked; i < n; i++) {
    float l = d[i].logit;
    int32_t b = N_BUCKETS; // banned, -inf and NaN last
    if (l > BANNED) {
      b = (int32_t)((hi - l) * scale);
      if (b > N_BUCKETS - 1) b = N_BUCKETS - 1;
    }
    d[i].p = (float)b;
    counts[b]++;
  }
  int32_t next = 0, want = g->top_k * 4 > 64 ? g->top_k * 4 : 64;
  while (valid < g->top_k && checked < n) {
    int32_t end = next, take = 0;
    while (end <= N_BUCKETS && take < want) take += counts[end++];
    partition(g, d, checked, n, (float)next, (float)end);
    valid = check(g, d, checked, take, valid);
    checked += take;
    next = end;
    want *= 8;
    if (valid < g->top_k && !grouped) {
      grouped = 1;
      n = drop_closed_groups(g, d, checked, n);
      for (int32_t b = next; b <= N_BUCKETS; b++) counts[b] = 0;
      for (int32_t i = checked; i < n; i++) counts[(int32_t)d[i].p]++;
    }
  }
  return valid;
}

/**
 * Same result as sample_full when the chain is [pre..., top-k(k) or greedy, ...]: after the pre samplers,
 * candidates are checked in falling-logit order until k pass; those are exactly the tokens top-k keeps of
 * a grammar-masked full array. First round: llama's partial sort of the best FIRST_ROUND. Then tokens of
 * groups whose probe fails are dropped unchecked, and the rest go by logit bucket.
 */
static int32_t sample_top_k(gsampler *g, const float *logits) {
  token_data *d = g->cur;
  int32_t n = g->n_vocab, checked = 0, valid = 0, grouped = g->n_groups == 0;
  fill(g, logits);
  token_array all = { d, (size_t)n, -1, 0 };
  apply_range(g, &all, 0, g->n_pre);
  if (all.data != d || (int32_t)all.size != n) return sample_full(g, logits); // a pre sampler reshaped it
  if (g->first) {
    f_sampler_apply(g->first, &all); // sorts the best to the front and keeps the rest behind them
    if (all.data != d) return sample_full(g, logits);
    checked = (int32_t)all.size;
    valid = check(g, d, 0, checked, 0);
    if (valid < g->top_k && !grouped) {
      grouped = 1;
      n = drop_closed_groups(g, d, checked, n);
    }
  }
  if (valid < g->top_k && checked < n) valid = check_by_bucket(g, d, checked, n, valid, grouped);
  if (valid == 0) return sample_full(g, logits); // nothing passes: keep the reference behaviour
  sort_by_id(d, valid);
  for (int32_t i = 0; i < valid; i++) d[i].p = 0.0f;
  token_array a = { d, (size_t)valid, -1, 0 };
  apply_range(g, &a, g->n_pre, f_chain_n(g->chain));
  return selected(&a);
}

/**
 * A grammar-constrained sampler over `chain` (borrowed); takes ownership of `grammar` on success. `stateful`:
 * some chain sampler keeps history on accept (penalties).
 */
void *tsllm_gsampler_new(void *chain, void *grammar, int32_t n_vocab, int32_t n_pre, int32_t top_k, _Bool stateful) {
  gsampler *g = calloc(1, sizeof(gsampler));
  if (!g) return 0;
  // A first round of FIRST_ROUND candidates is worth it only if k of them can be expected to pass.
  int32_t first = top_k > 0 && top_k * 2 <= FIRST_ROUND && n_vocab > FIRST_ROUND;
  g->cur = malloc((unsigned long)n_vocab * sizeof(token_data));
  g->first = first ? f_init_top_k(FIRST_ROUND) : 0;
  if (!g->cur || (first && !g->first)) {
    free(g->cur);
    if (g->first) f_sampler_free(g->first);
    free(g);
    return 0;
  }
  g->stateful = stateful;
  g->chain = chain;
  g->grammar = grammar;
  g->n_vocab = n_vocab;
  g->n_pre = n_pre;
  g->top_k = top_k;
  return g;
}

/**
 * Lets the resample skip tokens by prefix group. `group_of`/`probe`/`parent` (tsllm_vocab_groups) must
 * outlive the sampler. `excluded` holds n_excluded [lo, hi] pairs: the non-ASCII code points the grammar's
 * negated classes exclude; a lone-lead-byte probe overlapping them is not exact, so its group stays open.
 * Returns 0, or -1 when out of memory (the sampler then works without groups).
 */
int32_t tsllm_gsampler_use_groups(void *gs, const void *vocab, const int32_t *group_of, int32_t n_groups,
                                  const int32_t *probe, const int32_t *parent, const uint32_t *excluded,
                                  int32_t n_excluded) {
  gsampler *g = (gsampler *)gs;
  g->open = malloc((unsigned long)n_groups);
  g->fixed = calloc((unsigned long)n_groups, 1);
  g->probes = malloc((unsigned long)n_groups * sizeof(token_data));
  if (!g->open || !g->fixed || !g->probes) return -1;
  for (int32_t i = 0; i < n_groups; i++) {
    unsigned char b[8];
    uint32_t v, lo, hi;
    int32_t n = piece(vocab, probe[i], b, sizeof b);
    if (n <= 0 || b[n - 1] < 0xC0) continue; // ends in a whole code point: exact
    if (first_code_point(b + n - 1, 1, &v, &lo, &hi) != 0) {
      g->fixed[i] = 1;
      continue;
    }
    for (int32_t k = 0; k < n_excluded; k++)
      if (excluded[2 * k] <= hi && lo <= excluded[2 * k + 1]) g->fixed[i] = 1;
  }
  g->group_of = group_of;
  g->probe = probe;
  g->parent = parent;
  g->n_groups = n_groups;
  return 0;
}

/**
 * Samples from row `idx` of the context's logits and accepts the token into grammar and chain. Unless
 * `grammar_first`, the chain picks from every candidate and only its pick is checked against the grammar.
 * Returns the token, -1 if the row has no logits, -2 if the chain selected nothing.
 */
int32_t tsllm_gsampler_sample(void *gs, void *ctx, int32_t idx, _Bool grammar_first) {
  gsampler *g = (gsampler *)gs;
  const float *logits = f_get_logits_ith(ctx, idx);
  if (!logits) return -1;
  int32_t id;
  g->n_sampled++;
  if (!grammar_first) {
    if (g->stateful) {
      fill(g, logits);
      token_array a = { g->cur, (size_t)g->n_vocab, -1, 0 };
      f_sampler_apply(g->chain, &a);
      id = selected(&a);
      if (id < 0) return id;
    } else {
      id = f_sampler_sample(g->chain, ctx, idx); // its accept is a no-op for this chain
    }
    token_data one = { id, 1.0f, 0.0f };
    token_array single = { &one, 1, -1, 0 };
    f_sampler_apply(g->grammar, &single);
    g->n_checked++;
    if (!is_neg_inf(single.data[0].logit)) goto accept;
    g->n_rejected++;
  }
  id = g->top_k > 0 ? sample_top_k(g, logits) : sample_full(g, logits);
  if (id < 0) return id;
accept:
  f_sampler_accept(g->grammar, id);
  f_sampler_accept(g->chain, id);
  return id;
}

/** Counters: steps sampled, chain picks the grammar rejected, tokens checked against the grammar. */
void tsllm_gsampler_stats(const void *gs, int32_t *out) {
  const gsampler *g = (const gsampler *)gs;
  out[0] = g->n_sampled;
  out[1] = g->n_rejected;
  out[2] = g->n_checked;
}

/** Returns the grammar to its start (a lazy grammar waits for its trigger again). */
void tsllm_gsampler_reset(void *gs) { f_sampler_reset(((gsampler *)gs)->grammar); }

/** Frees the grammar and the scratch buffers (never the chain or the groups). */
void tsllm_gsampler_free(void *gs) {
  gsampler *g = (gsampler *)gs;
  f_sampler_free(g->grammar);
  if (g->first) f_sampler_free(g->first);
  free(g->cur);
  free(g->open);
  free(g->fixed);
  free(g->probes);
  free(g);
}
