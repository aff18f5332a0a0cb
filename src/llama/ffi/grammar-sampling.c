// Part of tsllm's C shim (compiled after shim.c and prefix-groups.c as one source).
//
// ---- grammar-constrained sampling (llama.cpp's common_sampler_sample, plus an exact fast resample) ----
// The grammar sampler is kept out of the chain: checking a grammar against every token of a 150k-token
// vocabulary costs tens of milliseconds, so the chain picks from every candidate and only its pick is
// checked. A rejected pick is resampled as "grammar, then chain". When the chain's first cut is top-k (or
// greedy) that resample is done exactly with far fewer grammar checks: candidates are checked in falling-
// logit order until k pass, and tokens are skipped by prefix group once a group's probe is rejected.

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
