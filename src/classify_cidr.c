/* classify_cidr.c - path-compressed binary trie for longest-prefix match over 128-bit addresses. */
#include <stdlib.h>
#include <string.h>

#include "classify_cidr.h"

/* A node holds one prefix (key/len). It carries a value when that prefix was inserted, or none
 * when it is only a branching point. Children are indices into one array so the trie is a single
 * allocation that can be grown with realloc while building (indices survive, pointers would not). */
struct cnode {
	uint64_t hi, lo;   /* key, big-endian halves, masked to len */
	int32_t child[2];  /* -1 = none */
	uint32_t value;    /* CIDR_NONE = branching node only */
	uint8_t len;
};

/* The flattened form (cidr_finalize): the address space cut into the intervals on which the set
 * of matching prefixes is constant, sorted by start. A lookup is a binary search over starts
 * instead of a walk with a mask test per node: classification looks up every flow's addresses in
 * several tries, each a few times. */
struct civ {
	uint64_t hi, lo;  /* first address of the interval */
	uint32_t best;    /* longest match, CIDR_NONE = none */
	uint32_t hoff;    /* its matches, longest first: hits[hoff .. hoff + nhits) */
	uint8_t blen;     /* length of best */
	uint8_t nhits;
};

struct cidr {
	struct cnode *n;
	uint32_t used, cap;
	int32_t root;
	size_t count;
	struct civ *iv;      /* NULL = not flattened (built, or changed since): walk the trie */
	uint32_t niv;
	struct cidr_hit *hits;
	size_t nhits, hcap;
	/* IPv4 shortcut over iv: the intervals meeting ::ffff:0:0/96 by their low 32 bits (v4key[0]
	 * = 0 is the one holding 0.0.0.0, iv index v4first + k), and v4b8[o]: the one holding o.0.0.0
	 * (v4b8[256] the last), so a lookup searches only the few starting in the address's /8. */
	uint32_t *v4key;
	uint32_t v4first, v4n;
	uint32_t v4b8[257];
};

static inline uint64_t load_be64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#elif !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__
	v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
#endif
	return v;
}

static inline void key_of(const struct ucf_addr *a, uint64_t *hi, uint64_t *lo)
{
	*hi = load_be64(a->b);
	*lo = load_be64(a->b + 8);
}

static inline void mask_of(unsigned len, uint64_t *mh, uint64_t *ml)
{
	if (len == 0) {
		*mh = 0;
		*ml = 0;
	} else if (len <= 64) {
		*mh = ~0ULL << (64 - len);
		*ml = 0;
	} else {
		*mh = ~0ULL;
		*ml = ~0ULL << (128 - len);
	}
}

static inline unsigned bit_at(uint64_t hi, uint64_t lo, unsigned i)
{
	return i < 64 ? (unsigned)((hi >> (63 - i)) & 1) : (unsigned)((lo >> (127 - i)) & 1);
}

static inline bool node_matches(const struct cnode *n, uint64_t hi, uint64_t lo)
{
	uint64_t mh, ml;
	mask_of(n->len, &mh, &ml);
	return ((hi ^ n->hi) & mh) == 0 && ((lo ^ n->lo) & ml) == 0;
}

static unsigned common_len(uint64_t h1, uint64_t l1, uint64_t h2, uint64_t l2)
{
	uint64_t x = h1 ^ h2;
	if (x)
		return (unsigned)__builtin_clzll(x);
	x = l1 ^ l2;
	if (x)
		return 64 + (unsigned)__builtin_clzll(x);
	return 128;
}

struct cidr *cidr_new(void)
{
	struct cidr *t = calloc(1, sizeof *t);
	if (t)
		t->root = -1;
	return t;
}

static void flat_drop(struct cidr *t)
{
	free(t->iv);
	free(t->hits);
	free(t->v4key);
	t->v4key = NULL;
	t->v4n = 0;
	t->iv = NULL;
	t->hits = NULL;
	t->niv = 0;
	t->nhits = t->hcap = 0;
}

void cidr_free(struct cidr *t)
{
	if (!t)
		return;
	flat_drop(t);
	free(t->n);
	free(t);
}

static int32_t new_node(struct cidr *t, uint64_t hi, uint64_t lo, unsigned len, uint32_t value)
{
	if (t->used == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 16;
		struct cnode *n = realloc(t->n, (size_t)cap * sizeof *n);
		if (!n)
			return -1;
		t->n = n;
		t->cap = cap;
	}
	uint64_t mh, ml;
	mask_of(len, &mh, &ml);
	struct cnode *n = &t->n[t->used];
	n->hi = hi & mh;
	n->lo = lo & ml;
	n->child[0] = n->child[1] = -1;
	n->value = value;
	n->len = (uint8_t)len;
	return (int32_t)t->used++;
}

static void set_link(struct cidr *t, int32_t parent, unsigned side, int32_t idx)
{
	if (parent < 0)
		t->root = idx;
	else
		t->n[parent].child[side] = idx;
}

uint32_t cidr_insert(struct cidr *t, const struct ucf_addr *a, unsigned len, uint32_t value)
{
	if (!t || len > 128 || value == CIDR_NONE)
		return CIDR_NONE;
	flat_drop(t); /* stale now; cidr_finalize builds it again */
	uint64_t hi, lo, mh, ml;
	key_of(a, &hi, &lo);
	mask_of(len, &mh, &ml);
	hi &= mh;
	lo &= ml;
	if (t->root < 0) {
		int32_t r = new_node(t, hi, lo, len, value);
		if (r < 0)
			return CIDR_NONE;
		t->root = r;
		t->count++;
		return value;
	}
	int32_t parent = -1, cur = t->root;
	unsigned side = 0;
	for (;;) {
		struct cnode *n = &t->n[cur];
		unsigned cpl = common_len(hi, lo, n->hi, n->lo);
		unsigned nlen = n->len;
		if (cpl > nlen)
			cpl = nlen;
		if (cpl > len)
			cpl = len;
		if (cpl == nlen) {
			if (nlen == len) { /* the prefix exists (maybe as a branching node) */
				if (n->value == CIDR_NONE) {
					n->value = value;
					t->count++;
				}
				return n->value;
			}
			unsigned b = bit_at(hi, lo, nlen);
			if (n->child[b] < 0) {
				int32_t leaf = new_node(t, hi, lo, len, value);
				if (leaf < 0)
					return CIDR_NONE;
				t->n[cur].child[b] = leaf;
				t->count++;
				return value;
			}
			parent = cur;
			side = b;
			cur = n->child[b];
			continue;
		}
		/* The new prefix leaves n's path at bit cpl: split there. */
		uint64_t nhi = n->hi, nlo = n->lo;
		if (cpl == len) { /* the new prefix is an ancestor of n */
			int32_t up = new_node(t, hi, lo, len, value);
			if (up < 0)
				return CIDR_NONE;
			t->n[up].child[bit_at(nhi, nlo, len)] = cur;
			set_link(t, parent, side, up);
			t->count++;
			return value;
		}
		int32_t mid = new_node(t, hi, lo, cpl, CIDR_NONE);
		if (mid < 0)
			return CIDR_NONE;
		int32_t leaf = new_node(t, hi, lo, len, value);
		if (leaf < 0)
			return CIDR_NONE; /* mid stays unlinked: harmless garbage */
		t->n[mid].child[bit_at(hi, lo, cpl)] = leaf;
		t->n[mid].child[bit_at(nhi, nlo, cpl)] = cur;
		set_link(t, parent, side, mid);
		t->count++;
		return value;
	}
}

/* ---- flattened form ---- */

struct flat_build {
	struct cidr *t;
	struct civ *iv;
	uint32_t niv, cap;
	struct cidr_hit stack[CIDR_MAX_HITS]; /* valued prefixes containing the current position */
	unsigned depth;
	bool oom;
};

static bool same_stack(const struct flat_build *b, const struct civ *last)
{
	if (last->nhits != b->depth)
		return false;
	for (unsigned i = 0; i < b->depth; i++) {
		const struct cidr_hit *h = &b->t->hits[last->hoff + i];
		const struct cidr_hit *s = &b->stack[b->depth - 1 - i];
		if (h->value != s->value || h->len != s->len)
			return false;
	}
	return true;
}

/* Emits the interval starting at (hi, lo) with the current stack as its matches. */
static void emit(struct flat_build *b, uint64_t hi, uint64_t lo)
{
	struct cidr *t = b->t;
	if (b->oom)
		return;
	if (b->niv && b->iv[b->niv - 1].hi == hi && b->iv[b->niv - 1].lo == lo) {
		b->niv--; /* empty: replaced by this one (its hits are the last ones) */
		t->nhits = b->iv[b->niv].hoff;
	}
	if (b->niv && same_stack(b, &b->iv[b->niv - 1]))
		return; /* the previous interval goes on */
	if (b->niv == b->cap) {
		uint32_t cap = b->cap ? b->cap * 2 : 16;
		struct civ *iv = realloc(b->iv, (size_t)cap * sizeof *iv);
		if (!iv) {
			b->oom = true;
			return;
		}
		b->iv = iv;
		b->cap = cap;
	}
	if (t->nhits + b->depth > t->hcap) {
		size_t cap = t->hcap ? t->hcap * 2 : 16;
		while (cap < t->nhits + b->depth)
			cap *= 2;
		struct cidr_hit *h = realloc(t->hits, cap * sizeof *h);
		if (!h) {
			b->oom = true;
			return;
		}
		t->hits = h;
		t->hcap = cap;
	}
	struct civ *v = &b->iv[b->niv++];
	v->hi = hi;
	v->lo = lo;
	v->hoff = (uint32_t)t->nhits;
	v->nhits = (uint8_t)b->depth;
	for (unsigned i = 0; i < b->depth; i++)
		t->hits[t->nhits++] = b->stack[b->depth - 1 - i];
	v->best = b->depth ? b->stack[b->depth - 1].value : CIDR_NONE;
	v->blen = b->depth ? b->stack[b->depth - 1].len : 0;
}

/* Last address of node n's prefix. */
static void node_end(const struct cnode *n, uint64_t *hi, uint64_t *lo)
{
	uint64_t mh, ml;
	mask_of(n->len, &mh, &ml);
	*hi = n->hi | ~mh;
	*lo = n->lo | ~ml;
}

/* In address order: node idx's intervals. On entry every address before the cursor (*chi, *clo)
 * is described and the cursor is at or before the node's first address; on return the cursor is
 * past the node's last address (*done when that was the end of the space). */
static void flatten(struct flat_build *b, int32_t idx, uint64_t *chi, uint64_t *clo, bool *done)
{
	const struct cnode *n = &b->t->n[idx];
	if (n->hi != *chi || n->lo != *clo)
		emit(b, *chi, *clo); /* a gap before the node: the enclosing prefixes' matches */
	*chi = n->hi;
	*clo = n->lo;
	bool valued = n->value != CIDR_NONE;
	if (valued) {
		b->stack[b->depth].value = n->value;
		b->stack[b->depth].len = n->len;
		b->depth++;
		emit(b, n->hi, n->lo);
	}
	for (int c = 0; c < 2 && !*done; c++) {
		int32_t k = b->t->n[idx].child[c];
		if (k >= 0)
			flatten(b, k, chi, clo, done);
	}
	n = &b->t->n[idx];
	uint64_t ehi, elo;
	node_end(n, &ehi, &elo);
	/* the rest of the node, outside its children */
	if (!*done && (*chi < ehi || (*chi == ehi && *clo <= elo)))
		emit(b, *chi, *clo);
	if (valued)
		b->depth--;
	if (ehi == ~0ULL && elo == ~0ULL) {
		*done = true;
	} else {
		*clo = elo + 1;
		*chi = ehi + (*clo == 0);
	}
}

/* The interval holding (hi, lo): the last one starting at or before it (the first starts at 0). */
static inline const struct civ *flat_find(const struct cidr *t, uint64_t hi, uint64_t lo)
{
	const struct civ *base = t->iv;
	uint32_t n = t->niv;
	while (n > 1) {
		uint32_t half = n / 2;
		const struct civ *m = base + half;
		if (m->hi < hi || (m->hi == hi && m->lo <= lo))
			base = m;
		n -= half;
	}
	return base;
}

int cidr_finalize(struct cidr *t)
{
	if (!t)
		return -1;
	flat_drop(t);
	struct flat_build b = { .t = t };
	uint64_t chi = 0, clo = 0;
	bool done = false;
	emit(&b, 0, 0); /* the space starts with no match */
	if (t->root >= 0)
		flatten(&b, t->root, &chi, &clo, &done);
	if (!done)
		emit(&b, chi, clo); /* past the root's prefix: no match */
	if (b.oom || b.niv == 0) {
		free(b.iv);
		flat_drop(t);
		return -1;
	}
	t->iv = b.iv;
	t->niv = b.niv;
	/* the IPv4 shortcut */
	const uint64_t v4lo = 0x0000ffff00000000ULL;
	uint32_t first = (uint32_t)(flat_find(t, 0, v4lo) - t->iv);
	uint32_t last = (uint32_t)(flat_find(t, 0, v4lo | 0xffffffffULL) - t->iv);
	uint32_t n = last - first + 1;
	if (!(t->v4key = malloc(n * sizeof *t->v4key)))
		return 0; /* the general search still works */
	for (uint32_t k = 0; k < n; k++)
		t->v4key[k] = k ? (uint32_t)t->iv[first + k].lo : 0;
	t->v4first = first;
	t->v4n = n;
	uint32_t k = 0;
	for (uint32_t o = 0; o < 256; o++) {
		while (k + 1 < n && t->v4key[k + 1] <= o << 24)
			k++;
		t->v4b8[o] = k;
	}
	t->v4b8[256] = n - 1;
	return 0;
}

/* The interval holding IPv4 address x (host order), as an index into iv. */
static inline uint32_t v4_find(const struct cidr *t, uint32_t x)
{
	uint32_t base = t->v4b8[x >> 24], n = t->v4b8[(x >> 24) + 1] - base + 1;
	while (n > 1) {
		uint32_t half = n / 2;
		if (t->v4key[base + half] <= x)
			base += half;
		n -= half;
	}
	return t->v4first + base;
}

uint32_t cidr_lookup(const struct cidr *t, const struct ucf_addr *a, unsigned *len_out)
{
	uint32_t best = CIDR_NONE;
	unsigned best_len = 0;
	if (t && t->iv) {
		uint64_t hi = load_be64(a->b), lo = load_be64(a->b + 8);
		const struct civ *v = t->v4key && hi == 0 && (lo >> 32) == 0xffff
					      ? &t->iv[v4_find(t, (uint32_t)lo)]
					      : flat_find(t, hi, lo);
		if (len_out)
			*len_out = v->blen;
		return v->best;
	}
	if (t) {
		uint64_t hi, lo;
		key_of(a, &hi, &lo);
		int32_t cur = t->root;
		while (cur >= 0) {
			const struct cnode *n = &t->n[cur];
			if (!node_matches(n, hi, lo))
				break;
			if (n->value != CIDR_NONE) {
				best = n->value;
				best_len = n->len;
			}
			if (n->len == 128)
				break;
			cur = n->child[bit_at(hi, lo, n->len)];
		}
	}
	if (len_out)
		*len_out = best_len;
	return best;
}

unsigned cidr_lookup_all(const struct cidr *t, const struct ucf_addr *a, struct cidr_hit *out,
			 unsigned max)
{
	if (!t || max == 0)
		return 0;
	if (t->iv) {
		uint64_t hi = load_be64(a->b), lo = load_be64(a->b + 8);
		const struct civ *v = t->v4key && hi == 0 && (lo >> 32) == 0xffff
					      ? &t->iv[v4_find(t, (uint32_t)lo)]
					      : flat_find(t, hi, lo);
		unsigned m = v->nhits < max ? v->nhits : max;
		if (m) /* t->hits is NULL in a table without hits: no memcpy from NULL, even of 0 */
			memcpy(out, t->hits + v->hoff, m * sizeof *out);
		return m;
	}
	/* Walk root to leaf (shortest first), keep the last `max`, then reverse. */
	struct cidr_hit tmp[CIDR_MAX_HITS];
	unsigned k = 0;
	uint64_t hi, lo;
	key_of(a, &hi, &lo);
	int32_t cur = t->root;
	while (cur >= 0 && k < CIDR_MAX_HITS) {
		const struct cnode *n = &t->n[cur];
		if (!node_matches(n, hi, lo))
			break;
		if (n->value != CIDR_NONE) {
			tmp[k].value = n->value;
			tmp[k].len = n->len;
			k++;
		}
		if (n->len == 128)
			break;
		cur = n->child[bit_at(hi, lo, n->len)];
	}
	unsigned m = k < max ? k : max;
	for (unsigned i = 0; i < m; i++)
		out[i] = tmp[k - 1 - i];
	return m;
}

size_t cidr_count(const struct cidr *t)
{
	return t ? t->count : 0;
}

size_t cidr_bytes(const struct cidr *t)
{
	return t ? sizeof *t + (size_t)t->cap * sizeof(struct cnode) +
			   (size_t)t->niv * sizeof(struct civ) + t->hcap * sizeof(struct cidr_hit) +
			   (size_t)t->v4n * sizeof(uint32_t)
		 : 0;
}

void cidr_mask(struct ucf_addr *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned lo_bit = i * 8;
		if (len >= lo_bit + 8)
			continue;
		if (len <= lo_bit)
			a->b[i] = 0;
		else
			a->b[i] &= (uint8_t)(0xff << (8 - (len - lo_bit)));
	}
}

bool cidr_host_bits_set(const struct ucf_addr *a, unsigned len)
{
	struct ucf_addr m = *a;
	cidr_mask(&m, len);
	return memcmp(m.b, a->b, 16) != 0;
}

bool cidr_prefix_contains(const struct ucf_addr *pfx, unsigned len, const struct ucf_addr *a)
{
	struct ucf_addr m = *a;
	cidr_mask(&m, len);
	struct ucf_addr p = *pfx;
	cidr_mask(&p, len);
	return memcmp(m.b, p.b, 16) == 0;
}
