// Part of tsllm's C shim (compiled after shim.c as one source): prefix groups of a vocabulary, for
// grammar-constrained sampling (grammar-sampling.c).
//
// Prefix groups: a grammar accepts a token only if it accepts every prefix of its text (it matches code
// point by code point), so when the token whose whole text is "x" (a probe) is rejected, so is every token
// whose text starts with "x". Root groups: the first character if ASCII, else the UTF-8 lead byte. Child
// groups: an ASCII character and the next byte (ASCII or lead byte); a lead byte and its code point. A probe
// ending in a lone lead byte is checked by llama-grammar as "any code point this could complete to", which
// is exact unless a negated class excludes a non-ASCII code point in that range (the group then stays
// open). Token rules (<[id]>, <tok>) match by id, not text: a grammar with them is sampled without groups.

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
